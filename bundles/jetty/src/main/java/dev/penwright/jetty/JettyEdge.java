package dev.penwright.jetty;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import dev.penwright.api.http.ApiKeys;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * Fits Felix's Jetty to the API: JSON for the errors Jetty answers itself, and the strict-URI verdict for the API's
 * filter. Felix hands its {@link Server} only to {@link ConnectorFactory} services (once for each start of Jetty,
 * after its HTTP connector is up), so this is one: the connector it returns serves no socket, and starting and
 * stopping it installs and removes the two adjustments, so they follow this bundle and every restart of Jetty.
 */
@Component(service = ConnectorFactory.class)
public final class JettyEdge implements ConnectorFactory {
    /** The server's key rule, when the server bundle runs: Jetty's own refusals then answer 401 to keyless requests. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ApiKeys keys;

    @Override
    public Connector createConnector(Server server) {
        return new EdgeConnector(server, () -> keys);
    }
}
