package io.kinesisha.cli.control;

import java.time.Duration;
import java.util.Locale;

/** Durations on the command line: {@code 1500ms}, {@code 30s}, {@code 2m}; errors name the option. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String option, String text, Duration min, Duration max) {
        String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } else if (t.endsWith("s")) {
                d = Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            } else if (t.endsWith("m")) {
                d = Duration.ofSeconds(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 60));
            } else {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    option + ": '" + text + "' is not a duration; use e.g. 1500ms, 30s or 2m");
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(
                    option + ": must be between " + min.toMillis() + " ms and " + max.toMillis() + " ms, was " + text);
        }
        return d;
    }
}
