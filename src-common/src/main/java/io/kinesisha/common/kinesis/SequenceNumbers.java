package io.kinesisha.common.kinesis;

/**
 * Kinesis sequence numbers are decimal strings of up to 128 bits. Comparing them as numbers without parsing them
 * keeps a per-record comparison free of allocation (a {@code BigInteger} per acknowledged record was the
 * replicator's own largest per-record allocation).
 */
public final class SequenceNumbers {
    private SequenceNumbers() {}

    /** Numeric order of two decimal sequence numbers (leading zeros ignored): negative, zero or positive. */
    public static int compare(String a, String b) {
        int i = firstSignificant(a);
        int j = firstSignificant(b);
        int byLength = Integer.compare(a.length() - i, b.length() - j);
        if (byLength != 0) {
            return byLength;
        }
        for (; i < a.length(); i++, j++) {
            int byDigit = Character.compare(a.charAt(i), b.charAt(j));
            if (byDigit != 0) {
                return byDigit;
            }
        }
        return 0;
    }

    /** The higher of two sequence numbers. */
    public static String max(String a, String b) {
        return compare(a, b) >= 0 ? a : b;
    }

    private static int firstSignificant(String s) {
        int i = 0;
        while (i < s.length() - 1 && s.charAt(i) == '0') {
            i++;
        }
        return i;
    }
}
