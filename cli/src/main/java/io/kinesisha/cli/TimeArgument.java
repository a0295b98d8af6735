package io.kinesisha.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** A point in time on the command line: an ISO-8601 instant, {@code now}, or relative like {@code -15m}, {@code -2h}. */
public final class TimeArgument implements ITypeConverter<Instant> {
    private static final Pattern RELATIVE = Pattern.compile("-(\\d+)(s|m|h|d)");

    @Override
    public Instant convert(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("now")) {
            return Instant.now();
        }
        Matcher m = RELATIVE.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = m.group(2).equals("s")
                    ? Duration.ofSeconds(n)
                    : m.group(2).equals("m")
                            ? Duration.ofMinutes(n)
                            : m.group(2).equals("h") ? Duration.ofHours(n) : Duration.ofDays(n);
            return Instant.now().minus(d);
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("'" + value + "' is not a time: use an ISO-8601 instant "
                    + "(2026-11-22T01:00:00Z), 'now', or a relative time like -15m, -2h, -1d");
        }
    }
}
