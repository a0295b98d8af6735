package io.kinesisha.controller.consumers;

import java.util.List;

/**
 * What the consumers of one kind (Lambda event source mappings, KCL applications, SDK readers) did or are expected
 * to do at a switch, in one shape for every kind, so a report lists them side by side: duplicates (records
 * processed twice) and skips (records never processed: must be 0). A count of {@link #UNKNOWN} means it was not
 * measured or cannot be excluded; {@link #detail()} says how the numbers were obtained.
 */
public record ConsumerKindReport(String kind, int consumers, long duplicates, long skips, String detail) {
    public static final long UNKNOWN = -1;

    /** Zero skips known for sure. */
    public boolean noSkips() {
        return skips == 0;
    }

    /** Expectations for Lambda mappings started at planned positions: skips 0 unless a position was unknown. */
    public static ConsumerKindReport lambda(List<LambdaStart> starts) {
        boolean excluded = starts.stream().allMatch(LambdaStart::skipsExcluded);
        long widest = starts.stream()
                .mapToLong(s -> s.duplicateWindow().toMillis())
                .max()
                .orElse(0);
        return new ConsumerKindReport(
                "lambda",
                starts.size(),
                UNKNOWN,
                excluded ? 0 : UNKNOWN,
                "event source mappings recreated at AT_TIMESTAMP from each function's own position; duplicates: what "
                        + "arrived within " + widest + " ms after a start"
                        + (excluded ? "" : "; a position was unknown"));
    }

    public String summary() {
        return kind + ": " + consumers + " consumer(s), duplicates " + count(duplicates) + ", skips " + count(skips)
                + " (" + detail + ")";
    }

    private static String count(long n) {
        return n == UNKNOWN ? "unknown" : Long.toString(n);
    }
}
