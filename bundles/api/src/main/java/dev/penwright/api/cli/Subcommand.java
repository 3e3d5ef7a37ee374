package dev.penwright.api.cli;

import java.io.PrintStream;
import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A command that runs both as {@code ./penwright NAME args…} and as {@code pen:NAME args…} in the Gogo shell.
 * Registered as a service with the property {@link #NAME}. Each parses its own arguments (picocli) and answers
 * {@code --help}.
 */
@ConsumerType
public interface Subcommand {
    String NAME = "penwright.subcommand";

    String name();

    /** One line for listings. */
    String summary();

    /** @return the exit status: 0 for success */
    int run(List<String> args, PrintStream out, PrintStream err) throws Exception;
}
