package dev.penwright.web;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the web page (Config Admin pid {@code dev.penwright.web}, file etc/dev.penwright.web.cfg). */
@ObjectClassDefinition(id = WebPageServlet.PID, name = "Penwright web page",
        description = "The administrator's page: style catalogue, playground, benchmark reports.")
@interface WebConfig {
    @AttributeDefinition(name = "Reports folder", required = false,
            description = "Folder of benchmark reports, as written by './penwright bench notes --out DIR'. Empty:"
                    + " docs/bench under the runtime home.")
    String reportsDir() default "";
}
