package dev.penwright.launcher.spi;

/**
 * One runtime command as the launcher lists and explains it without starting a runtime.
 *
 * @param name    the command's name, one or two words ({@code generate article})
 * @param summary one line for listings
 * @param usage   what the command prints for {@code --help}
 */
public record CommandHelp(String name, String summary, String usage) {
}
