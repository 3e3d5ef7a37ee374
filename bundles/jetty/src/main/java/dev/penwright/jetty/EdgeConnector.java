package dev.penwright.jetty;

import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Server;

/**
 * An in-memory connector (no socket, never used for traffic) whose start puts {@link JsonErrorHandler} and
 * {@link UriViolationMarker} in place on the server that holds it, and whose stop puts back what was there.
 */
final class EdgeConnector extends LocalConnector {
    private final JsonErrorHandler errors;
    private final UriViolationMarker marker = new UriViolationMarker();
    private Request.Handler previousErrors;

    EdgeConnector(Server server, java.util.function.Supplier<dev.penwright.api.http.ApiKeys> keys) {
        super(server);
        this.errors = new JsonErrorHandler(keys);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        Server server = getServer();
        previousErrors = server.getErrorHandler();
        server.setErrorHandler(errors);
        for (HttpConfiguration configuration : httpConfigurations(server)) {
            configuration.addCustomizer(marker);
        }
    }

    @Override
    protected void doStop() throws Exception {
        Server server = getServer();
        for (HttpConfiguration configuration : httpConfigurations(server)) {
            configuration.removeCustomizer(marker);
        }
        if (server.getErrorHandler() == errors) {
            server.setErrorHandler(previousErrors);
        }
        super.doStop();
    }

    /** The configurations of the server's network connectors (not this one's). */
    private java.util.List<HttpConfiguration> httpConfigurations(Server server) {
        java.util.List<HttpConfiguration> configurations = new java.util.ArrayList<>();
        for (Connector connector : server.getConnectors()) {
            HttpConnectionFactory http = connector == this ? null
                    : connector.getConnectionFactory(HttpConnectionFactory.class);
            if (http != null) {
                configurations.add(http.getHttpConfiguration());
            }
        }
        return configurations;
    }
}
