package dev.penwright.server;

import java.io.IOException;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletErrorPage;

/** Errors raised by the container itself (a servlet's sendError, an uncaught exception) get the JSON error shape. */
@Component(service = Servlet.class)
@HttpWhiteboardServletErrorPage(errorPage = {"4xx", "5xx", "java.lang.Throwable"})
public final class ErrorPageServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ErrorPageServlet.class);

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int code = status instanceof Integer i ? i : 500;
        // The container's message may name an exception, a class or a path: it goes to the log, not the answer.
        Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
        Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        String requestId = response.getHeader(JsonResponses.REQUEST_ID);
        String line = "request " + requestId + " answered " + code + ": " + message;
        Throwable cause = exception instanceof Throwable t ? t : null;
        if (code >= 500) {
            LOG.warn(line, cause);
        } else {
            LOG.debug(line, cause);
        }
        JsonResponses.error(response, code, code >= 500 ? "internal_error" : "http_" + code, code >= 500
                ? "internal error; the server's log has the detail under this request's id" : "HTTP " + code);
    }
}
