package dev.penwright.jetty;

import dev.penwright.api.http.RequestAttributes;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

/**
 * Marks a request whose URI strict compliance ({@link UriCompliance#DEFAULT}, RFC 3986 with no ambiguous spelling)
 * would refuse. The connector itself runs in a lenient mode so that such a request still reaches the API's filter,
 * which checks the API key on the path Jetty resolved first (401 for anyone without a key, whatever the spelling),
 * and only then refuses the ambiguous spelling: a reverse proxy in front may read {@code /web/..;/v1/styles} as a
 * path under {@code /web/}, so a key holder must not reach {@code /v1/styles} that way either.
 */
final class UriViolationMarker implements HttpConfiguration.Customizer {
    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        HttpURI uri = request.getHttpURI();
        if (uri.hasViolations()) {
            String refusal = UriCompliance.checkUriCompliance(UriCompliance.DEFAULT, uri, null);
            if (refusal != null) {
                request.setAttribute(RequestAttributes.URI_VIOLATION, refusal);
            }
        }
        return null;
    }
}
