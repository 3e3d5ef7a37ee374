package dev.penwright.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which reports folder the console lists by default, and how the open listing names it. */
class ReportsDirTest {
    @TempDir
    Path checkout;

    @Test
    void aCheckoutsRuntimeListsTheShippedReportBesideIt() throws Exception {
        Path home = Files.createDirectories(checkout.resolve("runtime"));
        Path shipped = Files.createDirectories(checkout.resolve("docs/bench"));
        assertEquals(shipped, WebPageServlet.reportsDir(null, home.toString()));
        assertEquals("../docs/bench", WebPageServlet.displayName(shipped, home.toString()));
        Path own = Files.createDirectories(home.resolve("docs/bench"));
        assertEquals(own, WebPageServlet.reportsDir("", home.toString()), "the home's own folder comes first");
        assertEquals("docs/bench", WebPageServlet.displayName(own, home.toString()));
        assertEquals(Path.of("/srv/x/reports"), WebPageServlet.reportsDir(" /srv/x/reports ", home.toString()));
        assertEquals("reports", WebPageServlet.displayName(Path.of("/srv/x/reports"), home.toString()),
                "a folder far from the home is named, not located");
    }
}
