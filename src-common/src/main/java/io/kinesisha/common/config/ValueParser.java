package io.kinesisha.common.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Checks one value against its key's type, range and pattern and returns its canonical spelling, so equal
 * configurations print and compare equal however they were written.
 */
final class ValueParser {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");
    static final Pattern CONSUMER_ARN = Pattern.compile(
            "(arn:[^:/]+:kinesis:[^:/]+:[^:/]+:stream/[^:/]+)" + "/consumer/([a-zA-Z0-9_.-]{1,128}):(\\d+)");

    private ValueParser() {}

    /**
     * The canonical form of {@code value} (already trimmed, not empty).
     *
     * @throws IllegalArgumentException whose message says what is wrong, without repeating the value
     */
    static String canonical(ConfigKey key, String value) {
        switch (key.type()) {
            case INT:
            case LONG:
                return integer(key, value);
            case DOUBLE:
                return decimal(key, value);
            case ENUM:
                return enumerated(key, value);
            case URI:
                return uri(value);
            case REGION:
                return matching(value, StreamArn.REGION, "must be an AWS region like us-east-1");
            case ACCOUNT:
                return matching(value, StreamArn.ACCOUNT, "must be a 12-digit AWS account id");
            case STREAM_ARN:
                return streamArn(value);
            case CONSUMER_ARN:
                return matching(
                        value,
                        CONSUMER_ARN,
                        "must be a consumer ARN like <stream ARN>/consumer/<name>:<creation timestamp>");
            case STRING:
                return key.pattern() == null ? value : matching(value, key.pattern(), "must match " + key.pattern());
            default:
                throw new IllegalStateException("no parser for " + key.type());
        }
    }

    private static String integer(ConfigKey key, String value) {
        if (!INTEGER.matcher(value).matches()) {
            if (DECIMAL.matcher(value).matches()) {
                boolean fraction = new BigDecimal(value).stripTrailingZeros().scale() > 0;
                throw new IllegalArgumentException(
                        fraction
                                ? "must be a whole number, not a fraction"
                                : "must be a whole number written as plain digits");
            }
            throw new IllegalArgumentException("must be a whole number");
        }
        BigInteger number = new BigInteger(value);
        int bits = key.type() == ConfigKey.Type.INT ? 31 : 63;
        if (number.bitLength() > bits) {
            throw new IllegalArgumentException(
                    rangeText(key) + " (the value overflows a " + (bits + 1) + "-bit integer)");
        }
        checkRange(key, new BigDecimal(number));
        return number.toString();
    }

    private static String decimal(ConfigKey key, String value) {
        BigDecimal number;
        try {
            if (!DECIMAL.matcher(value).matches()) {
                throw new NumberFormatException();
            }
            number = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a number");
        }
        checkRange(key, number);
        return Double.toString(number.doubleValue());
    }

    private static void checkRange(ConfigKey key, BigDecimal number) {
        boolean tooSmall = key.minExclusive() ? number.compareTo(key.min()) <= 0 : number.compareTo(key.min()) < 0;
        if (tooSmall || number.compareTo(key.max()) > 0) {
            throw new IllegalArgumentException(rangeText(key));
        }
    }

    /** "must be between 1 and 500" or, for an excluded minimum, "must be greater than 0 and at most 100". */
    static String rangeText(ConfigKey key) {
        return key.minExclusive()
                ? "must be greater than " + key.min().toPlainString() + " and at most "
                        + key.max().toPlainString()
                : "must be between " + key.min().toPlainString() + " and "
                        + key.max().toPlainString();
    }

    private static String enumerated(ConfigKey key, String value) {
        for (String allowed : key.allowedValues()) {
            if (allowed.toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT))) {
                return allowed;
            }
        }
        throw new IllegalArgumentException("must be one of " + String.join(", ", key.allowedValues()));
    }

    private static String uri(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(
                    "is not a valid URI (" + e.getReason() + " at index " + e.getIndex() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an absolute http:// or https:// URI with a host");
        }
        return value;
    }

    private static String streamArn(String value) {
        try {
            return StreamArn.parse(value).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "is not a Kinesis stream ARN: " + e.getMessage() + " (expected " + StreamArn.SHAPE + ")");
        }
    }

    private static String matching(String value, Pattern pattern, String requirement) {
        if (!pattern.matcher(value).matches()) {
            throw new IllegalArgumentException(requirement);
        }
        return value;
    }
}
