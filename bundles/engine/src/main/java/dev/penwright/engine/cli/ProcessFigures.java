package dev.penwright.engine.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What Linux says of this process and machine, for benchmark reports. */
final class ProcessFigures {
    private ProcessFigures() {
    }

    /** The process's peak resident set (VmHWM) in MB, or -1 off Linux. */
    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return -1;
    }

    /**
     * Starts the peak resident set (VmHWM) afresh from the current one, so that a phase's peak can be read on its own
     * (Linux's {@code clear_refs} "5"); false where that cannot be done.
     */
    static boolean resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** /proc/loadavg as it reads: the machine may be shared, and the figures mean little without it. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
