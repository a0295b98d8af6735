package io.kinesisha.controller.verify;

import java.util.List;

/**
 * What verify found between two streams over a window: records missing in either, duplicates, per-key order
 * violations, each with a count and a few examples. {@link #clean()} is what a drill and a script check.
 */
public final class VerifyReport {
    public final String sourceStreamArn;
    public final String targetStreamArn;
    public final String from;
    public final String to;
    public final long sourceRecords;
    public final long targetRecords;
    public final long missingInTarget;
    public final long unexpectedInTarget;
    public final long duplicatesInTarget;
    public final long orderViolations;
    public final long keys;
    public final List<String> missingExamples;
    public final List<String> unexpectedExamples;
    public final List<String> duplicateExamples;
    public final List<String> orderExamples;
    /** Nothing missing in either stream and no per-key order violation (duplicates are allowed: at-least-once). */
    public final boolean clean;

    VerifyReport(
            String sourceStreamArn,
            String targetStreamArn,
            String from,
            String to,
            long sourceRecords,
            long targetRecords,
            long missingInTarget,
            long unexpectedInTarget,
            long duplicatesInTarget,
            long orderViolations,
            long keys,
            List<String> missingExamples,
            List<String> unexpectedExamples,
            List<String> duplicateExamples,
            List<String> orderExamples) {
        this.sourceStreamArn = sourceStreamArn;
        this.targetStreamArn = targetStreamArn;
        this.from = from;
        this.to = to;
        this.sourceRecords = sourceRecords;
        this.targetRecords = targetRecords;
        this.missingInTarget = missingInTarget;
        this.unexpectedInTarget = unexpectedInTarget;
        this.duplicatesInTarget = duplicatesInTarget;
        this.orderViolations = orderViolations;
        this.keys = keys;
        this.missingExamples = missingExamples;
        this.unexpectedExamples = unexpectedExamples;
        this.duplicateExamples = duplicateExamples;
        this.orderExamples = orderExamples;
        this.clean = missingInTarget == 0 && unexpectedInTarget == 0 && orderViolations == 0;
    }

    public boolean clean() {
        return clean;
    }
}
