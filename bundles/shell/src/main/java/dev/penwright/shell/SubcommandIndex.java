package dev.penwright.shell;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

import dev.penwright.api.cli.Subcommand;
import dev.penwright.launcher.spi.CommandHelp;

/**
 * The subcommands on offer, by name. Names have one or two words ({@code bench engine}); a command line picks the
 * longest name its leading words spell.
 */
final class SubcommandIndex {
    /** A command and the arguments left after its name. */
    record Match(Subcommand command, List<String> args) {
    }

    private final Map<String, Subcommand> byName = new ConcurrentSkipListMap<>();

    void add(String name, Subcommand command) {
        byName.put(name, command);
    }

    void remove(String name, Subcommand command) {
        byName.remove(name, command);
    }

    Optional<Match> match(List<String> argv) {
        for (int words = Math.min(2, argv.size()); words >= 1; words--) {
            Subcommand command = byName.get(String.join(" ", argv.subList(0, words)));
            if (command != null) {
                return Optional.of(new Match(command, List.copyOf(argv.subList(words, argv.size()))));
            }
        }
        return Optional.empty();
    }

    /** Commands whose name starts with {@code firstWord}. */
    List<String> namesStartingWith(String firstWord) {
        return byName.keySet().stream().filter(n -> n.equals(firstWord) || n.startsWith(firstWord + " ")).toList();
    }

    /**
     * One line for {@code pen:<word>}: the summary of the command named {@code word}, else the commands under it
     * ({@code pen:bench}: "One of: bench engine, bench notes").
     */
    String summaryOf(String word) {
        Subcommand own = byName.get(word);
        if (own != null && own.summary() != null) {
            return own.summary();
        }
        List<String> names = namesStartingWith(word);
        return names.isEmpty() || names.equals(List.of(word)) ? word
                : "One of: " + String.join(", ", names) + " (help pen:" + word + ")";
    }

    List<String> describe() {
        List<String> lines = new ArrayList<>();
        byName.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.naturalOrder()))
                .forEach(e -> lines.add(String.format("%-16s %s", e.getKey(), e.getValue().summary())));
        return lines;
    }

    /** Each command's name, summary and {@code --help} text, as the command itself prints it. */
    List<CommandHelp> help() {
        List<CommandHelp> help = new ArrayList<>();
        byName.forEach((name, command) -> help.add(new CommandHelp(name, command.summary(), usageOf(command))));
        return help;
    }

    /**
     * What {@code help pen:<word> [<second word>]} prints: the named command's own {@code --help} (picocli's usage
     * and options), followed by the other commands that share its first word; for a word that names no command by
     * itself ({@code bench}), the commands under it with their summaries. Empty when no command has that word.
     */
    String helpText(List<String> argv) {
        String word = argv.get(0);
        List<String> names = namesStartingWith(word);
        if (names.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        Optional<Match> match = match(argv);
        String shown = null;
        if (match.isPresent() && match.get().args().isEmpty()) {
            shown = nameOf(match.get().command());
            text.append(usageOf(match.get().command()));
            if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') {
                text.append('\n');
            }
        }
        List<String> others = new ArrayList<>();
        for (String name : names) {
            if (!name.equals(shown)) {
                others.add(String.format("  %-24s %s", "pen:" + name, byName.get(name).summary()));
            }
        }
        if (!others.isEmpty()) {
            text.append(shown == null ? "pen:" + word + " runs one of these commands:\n"
                    : "\nAlso under pen:" + word + ":\n");
            others.forEach(line -> text.append(line).append('\n'));
            text.append("Their options: help pen:<command>, or pen:<command> --help.\n");
        }
        return text.toString();
    }

    private String nameOf(Subcommand command) {
        return byName.entrySet().stream().filter(e -> e.getValue() == command).map(Map.Entry::getKey).findFirst()
                .orElse(command.name());
    }

    private static String usageOf(Subcommand command) {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            command.run(List.of("--help"), out, out);
        } catch (Exception e) {
            // A command whose --help fails is listed with its summary; its own --help then runs in a runtime.
            return "";
        }
        return text.toString(StandardCharsets.UTF_8);
    }
}
