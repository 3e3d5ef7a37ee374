package dev.penwright.launcher.spi;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * The runtime's side of the command line: the launcher finds this service once the framework has started, waits
 * until it is ready, then hands it the user's command.
 */
public interface CommandGateway {
    /**
     * Waits until the runtime is ready to serve: every deployed pack has been judged.
     *
     * @return false when that did not happen in time
     */
    boolean awaitReady(Duration timeout) throws InterruptedException;

    /** Runs a one-shot subcommand such as {@code generate --model DIR …}; returns its exit status. */
    int run(List<String> argv, PrintStream out, PrintStream err);

    /** Runs Gogo shell commands such as {@code pen:styles; pen:style jargon}; returns their exit status. */
    int execute(String script, PrintStream out, PrintStream err);

    /** Lines naming every subcommand and what it does. */
    List<String> describe();

    /**
     * Every subcommand's name, summary and {@code --help} text, sorted by name: the launcher keeps them so that
     * {@code help} and {@code --help} answer without starting a runtime.
     */
    List<CommandHelp> help();
}
