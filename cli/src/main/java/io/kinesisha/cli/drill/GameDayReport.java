package io.kinesisha.cli.drill;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.kinesisha.controller.consumers.ConsumerKindReport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of a game day, as numbers an operator can check: what was produced and where it was acknowledged,
 * what each region holds at the end (lost, duplicates, loops, order), the orphans and their reconciliation, and
 * the times of each switch. {@link #passed()} is the verdict: nothing acknowledged lost in either region, no
 * loop, no false orphan (a record reported as an orphan that the primary did not acknowledge from a producer, or
 * that the secondary already held), no order violation within a region except the republished orphans the report
 * names, and no consumer kind that skipped a record ({@link ConsumerKindReport}: one entry per kind, duplicates and
 * skips).
 */
public record GameDayReport(
        String primaryRegion,
        String secondaryRegion,
        long durationSeconds,
        int rate,
        int keys,
        int shards,
        long produced,
        long acknowledged,
        long acknowledgedByPrimary,
        long acknowledgedBySecondary,
        long replicatedForward,
        long replicatedBack,
        long lostInPrimary,
        long lostInSecondary,
        List<String> lostInPrimaryExamples,
        List<String> lostInSecondaryExamples,
        long duplicatesInPrimary,
        long duplicatesInSecondary,
        long loops,
        long inDoubt,
        long reordersInPrimary,
        long reordersInSecondary,
        long unexpectedReordersInSecondary,
        long orphans,
        long orphansCopied,
        long falseOrphans,
        int orphanKeysAfterNewer,
        String orphanPolicy,
        long detectionMillis,
        long failoverRtoMillis,
        long failbackProducerPauseMillis,
        long failbackMillis,
        long lagP50Millis,
        long lagP99Millis,
        Consumed consumer,
        long tookMillis,
        List<ConsumerKindReport> consumerKinds) {

    /** What the order-checking consumer saw (demo only). */
    public record Consumed(
            long consumed, long distinct, long duplicates, long reorders, long notSeen, List<String> notSeenExamples) {}

    /** Acknowledged records missing in either region (must be 0). */
    @JsonProperty("lost")
    public long lost() {
        return lostInPrimary + lostInSecondary;
    }

    /** Extra copies over both regions (the write in doubt at the outage). */
    @JsonProperty("duplicates")
    public long duplicates() {
        return duplicatesInPrimary + duplicatesInSecondary;
    }

    /** Per-key order violations within a region that are not republished orphans (must be 0). */
    @JsonProperty("reorders")
    public long reorders() {
        return reordersInPrimary + unexpectedReordersInSecondary;
    }

    /** Records copied by replication, both directions. */
    @JsonProperty("replicated")
    public long replicated() {
        return replicatedForward + replicatedBack;
    }

    /** The failover's RPO before reconciliation: records the primary acknowledged but had not replicated. */
    @JsonProperty("rpoRecords")
    public long rpoRecords() {
        return orphans;
    }

    /** Outage to the first write acknowledged by the secondary. */
    @JsonProperty("rtoMillis")
    public long rtoMillis() {
        return failoverRtoMillis;
    }

    /** Nothing acknowledged lost in either region, no loop, no unexplained reorder. */
    @JsonProperty("passed")
    public boolean passed() {
        return lostInPrimary == 0
                && lostInSecondary == 0
                && loops == 0
                && falseOrphans == 0
                && reordersInPrimary == 0
                && unexpectedReordersInSecondary == 0
                && (consumer == null || consumer.notSeen() == 0)
                && consumerKinds.stream().allMatch(ConsumerKindReport::noSkips);
    }

    /** Key/value rows for text and HTML. */
    public Map<String, Object> rows() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("verdict", passed() ? "PASSED: nothing lost, no loops, order kept" : "FAILED");
        r.put(
                "load",
                rate + " records/s over " + keys + " keys, " + shards + " shard(s) per stream, " + durationSeconds
                        + " s");
        r.put("records produced", produced);
        r.put(
                "acknowledged",
                acknowledged + " (" + acknowledgedByPrimary + " by " + primaryRegion + ", " + acknowledgedBySecondary
                        + " by " + secondaryRegion + ")");
        r.put(
                "replicated " + primaryRegion + " -> " + secondaryRegion,
                replicatedForward + " (of which " + orphansCopied + " orphan copies)");
        r.put("replicated " + secondaryRegion + " -> " + primaryRegion + " (failback)", replicatedBack);
        r.put(
                "lost (must be 0)",
                lostInPrimary + " in " + primaryRegion + ", " + lostInSecondary + " in " + secondaryRegion);
        r.put("loops (must be 0)", loops);
        r.put(
                "duplicates",
                duplicatesInPrimary + " in " + primaryRegion + ", " + duplicatesInSecondary + " in "
                        + secondaryRegion + "; " + inDoubt
                        + " record(s) in doubt (a write cut off by the outage landed in "
                        + primaryRegion + " and was retried to " + secondaryRegion + ")");
        r.put(
                "per-key order",
                reordersInPrimary + " violation(s) in " + primaryRegion + "; " + reordersInSecondary + " in "
                        + secondaryRegion + ", of which " + unexpectedReordersInSecondary
                        + " not a republished orphan");
        r.put(
                "orphans",
                orphans + " found, " + orphansCopied + " copied (policy " + orphanPolicy + "), " + orphanKeysAfterNewer
                        + " key(s) got them after newer records");
        r.put("false orphans (must be 0)", falseOrphans);
        r.put("detection", detectionMillis + " ms (outage to the failover decision)");
        r.put(
                "RTO failover",
                failoverRtoMillis + " ms (outage to the first write acknowledged by " + secondaryRegion + ")");
        r.put("RPO failover", orphans + " record(s) unreplicated at the outage; 0 lost after reconciliation");
        r.put(
                "failback",
                failbackMillis + " ms (primary back to failback done); producers paused " + failbackProducerPauseMillis
                        + " ms (RPO 0)");
        r.put("replication lag", "p50 " + lagP50Millis + " ms, p99 " + lagP99Millis + " ms");
        if (consumer != null) {
            r.put(
                    "consumer",
                    consumer.consumed() + " consumed (" + consumer.distinct() + " distinct), "
                            + consumer.duplicates() + " duplicates, " + consumer.reorders() + " reorders, "
                            + consumer.notSeen()
                            + " acknowledged but not seen");
        }
        consumerKinds.forEach(k -> r.put("consumers: " + k.kind() + " (skips must be 0)", k.summary()));
        r.put("took", tookMillis / 1000 + " s");
        return r;
    }

    public void printText(PrintWriter out) {
        rows().forEach((k, v) -> out.printf("  %-40s %s%n", k, v));
        if (!lostInPrimaryExamples.isEmpty() || !lostInSecondaryExamples.isEmpty()) {
            out.println("  lost examples: " + lostInPrimaryExamples + " " + lostInSecondaryExamples);
        }
        out.flush();
    }
}
