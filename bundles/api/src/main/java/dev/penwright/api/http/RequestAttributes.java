package dev.penwright.api.http;

/** Names of request attributes that the servlet container's edge sets and the API's filter reads. */
public final class RequestAttributes {
    /**
     * Set when the request URI is one that strict URI compliance (RFC 3986, no ambiguous spelling) refuses: its value
     * is the reason, e.g. "Ambiguous URI path separator". The container lets such a request through so that the API
     * key is checked first (on the path it resolved), and the API then refuses it itself.
     */
    public static final String URI_VIOLATION = "dev.penwright.http.uriViolation";

    private RequestAttributes() {
    }
}
