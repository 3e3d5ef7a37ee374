package dev.penwright.jetty;

import org.apache.felix.http.jetty.ConnectorFactory;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.osgi.service.component.annotations.Component;

/**
 * Fits Felix's Jetty to the API: JSON for the errors Jetty answers itself, and the strict-URI verdict for the API's
 * filter. Felix hands its {@link Server} only to {@link ConnectorFactory} services (once for each start of Jetty,
 * after its HTTP connector is up), so this is one: the connector it returns serves no socket, and starting and
 * stopping it installs and removes the two adjustments, so they follow this bundle and every restart of Jetty.
 */
@Component(service = ConnectorFactory.class)
public final class JettyEdge implements ConnectorFactory {
    @Override
    public Connector createConnector(Server server) {
        return new EdgeConnector(server);
    }
}
