package io.kinesisha.controller.reconcile;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which copies of a republish batch interrupted between PutRecords and the ledger landed. Only the active stream's
 * records after the batch's tips are looked at (the copies cannot be earlier: an exact bound by position), and per
 * key the batch's records are matched to them in order (a subsequence match on key and bytes). Bytes never prove a
 * copy on their own: where an identical record may be a producer's (more identical records of the key in the bound
 * than the batch holds, or the key carries the same bytes outside the bound, e.g. heartbeats), the copy is written
 * again and counted as a possible duplicate, because a duplicate can be reported and a lost record cannot.
 */
final class InterruptedBatchMatch {
    /** A record of the active stream after the batch's tips that no COPIED batch names. */
    record Landed(String target, String partitionKey, String content) {}

    enum Outcome {
        /** Its copy is the matched record: nothing is written. */
        RECOGNISED,
        /** No record in the bound matches: written now, exactly once. */
        MISSING,
        /** A matching record may be a producer's: written now, possibly twice. */
        AMBIGUOUS
    }

    /** {@code target}: the recognised copy's position (RECOGNISED only). */
    record Decision(Orphan orphan, Outcome outcome, String target) {}

    private InterruptedBatchMatch() {}

    /**
     * @param batch           the batch's orphans, in copy order
     * @param inBound         the records after the batch's tips, per shard in sequence order
     * @param repeatedOutside contents ({@link Orphan#content()}) that the stream or the orphans carry elsewhere too
     */
    static List<Decision> match(List<Orphan> batch, List<Landed> inBound, Set<String> repeatedOutside) {
        Map<String, List<Landed>> landedByKey = new HashMap<>();
        Map<String, Integer> inBoundCount = new HashMap<>();
        for (Landed l : inBound) {
            landedByKey
                    .computeIfAbsent(l.partitionKey(), k -> new ArrayList<>())
                    .add(l);
            inBoundCount.merge(l.content(), 1, Integer::sum);
        }
        Map<String, Integer> inBatchCount = new HashMap<>();
        batch.forEach(o -> inBatchCount.merge(o.content(), 1, Integer::sum));

        List<Decision> decisions = new ArrayList<>();
        Map<String, Integer> nextByKey = new HashMap<>();
        for (Orphan o : batch) {
            List<Landed> landed = landedByKey.getOrDefault(o.partitionKey(), List.of());
            int from = nextByKey.getOrDefault(o.partitionKey(), 0);
            int at = -1;
            for (int i = from; i < landed.size() && at < 0; i++) {
                if (landed.get(i).content().equals(o.content())) {
                    at = i;
                }
            }
            if (at < 0) {
                decisions.add(new Decision(o, Outcome.MISSING, null));
                continue;
            }
            nextByKey.put(o.partitionKey(), at + 1);
            boolean ambiguous = inBoundCount.get(o.content()) > inBatchCount.get(o.content())
                    || repeatedOutside.contains(o.content());
            decisions.add(
                    ambiguous
                            ? new Decision(o, Outcome.AMBIGUOUS, null)
                            : new Decision(o, Outcome.RECOGNISED, landed.get(at).target()));
        }
        return decisions;
    }
}
