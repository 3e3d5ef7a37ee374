package dev.penwright.server;

import java.io.IOException;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

/** The default servlet: any path no route claims is a JSON 404, whatever the method. */
@Component(service = Servlet.class)
@HttpWhiteboardServletPattern("/")
public final class NotFoundServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getRequestURI().equals("/") && request.getMethod().equals("GET")) {
            response.sendRedirect("/web/");
            return;
        }
        JsonResponses.error(response, 404, "not_found", "no route " + request.getMethod() + " "
                + request.getRequestURI());
    }
}
