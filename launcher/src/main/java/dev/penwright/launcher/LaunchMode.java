package dev.penwright.launcher;

import java.util.Set;

/** What the runtime is started for, and so which bundles it leaves unstarted. */
enum LaunchMode {
    /** Serves HTTP and opens the Gogo shell on the terminal. */
    INTERACTIVE(Set.of()),
    /** Serves HTTP with no shell. */
    HEADLESS(Set.of("org.apache.felix.gogo.jline")),
    /** Runs one command and exits: no HTTP port taken, no shell. */
    TOOL(Set.of("org.apache.felix.gogo.jline", "org.apache.felix.http.jetty12", "dev.penwright.jetty"));

    private final Set<String> unstarted;

    LaunchMode(Set<String> unstarted) {
        this.unstarted = unstarted;
    }

    boolean starts(String symbolicName) {
        return !unstarted.contains(symbolicName);
    }

    boolean servesHttp() {
        return this != TOOL;
    }
}
