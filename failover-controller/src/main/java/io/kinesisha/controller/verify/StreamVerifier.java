package io.kinesisha.controller.verify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares what a source stream received in a window with what its replica holds: records are identified by
 * partition key and bytes (counted as a multiset, so identical payloads are handled), order is checked per key
 * on first copies, duplicates are extra copies. The replica is read over a longer window ({@code to + grace})
 * because copies arrive after their originals.
 */
public final class StreamVerifier {
    private static final int EXAMPLES = 5;

    private final StreamScanner source;
    private final StreamScanner target;

    public StreamVerifier(StreamScanner source, StreamScanner target) {
        this.source = source;
        this.target = target;
    }

    public VerifyReport verify(String sourceArn, String targetArn, Instant from, Instant to, Instant targetUntil) {
        List<StreamRecord> originals = source.scan(sourceArn, from, to);
        List<StreamRecord> copies = target.scan(targetArn, from, targetUntil);
        return compare(sourceArn, targetArn, from, to, originals, copies);
    }

    static VerifyReport compare(
            String sourceArn,
            String targetArn,
            Instant from,
            Instant to,
            List<StreamRecord> originals,
            List<StreamRecord> copies) {
        // per key, source order: identity + occurrence -> position
        Map<String, List<StreamRecord>> sourceByKey = byKey(originals);
        Map<String, Integer> expected = new HashMap<>();
        Map<String, Integer> positionOf = new HashMap<>();
        for (List<StreamRecord> records : sourceByKey.values()) {
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < records.size(); i++) {
                String identity = records.get(i).identity();
                int occurrence = seen.merge(identity, 1, Integer::sum);
                positionOf.put(identity + "#" + occurrence, i);
                expected.merge(identity, 1, Integer::sum);
            }
        }
        List<String> unexpectedExamples = new ArrayList<>();
        List<String> duplicateExamples = new ArrayList<>();
        List<String> orderExamples = new ArrayList<>();
        long unexpected = 0;
        long duplicates = 0;
        long violations = 0;
        Map<String, Integer> found = new HashMap<>();
        for (List<StreamRecord> records : byKey(copies).values()) {
            int highest = -1;
            for (StreamRecord copy : records) {
                String identity = copy.identity();
                int occurrence = found.merge(identity, 1, Integer::sum);
                Integer position = positionOf.get(identity + "#" + occurrence);
                if (position == null) {
                    if (expected.containsKey(identity)) {
                        duplicates++;
                        addExample(duplicateExamples, copy);
                    } else {
                        unexpected++;
                        addExample(unexpectedExamples, copy);
                    }
                    continue;
                }
                if (position < highest) {
                    violations++;
                    addExample(orderExamples, copy);
                }
                highest = Math.max(highest, position);
            }
        }
        long missing = 0;
        List<String> missingExamples = new ArrayList<>();
        Map<String, Integer> remaining = new HashMap<>(found);
        for (StreamRecord original : originals) {
            String identity = original.identity();
            int left = remaining.getOrDefault(identity, 0);
            if (left > 0) {
                remaining.put(identity, left - 1);
            } else {
                missing++;
                addExample(missingExamples, original);
            }
        }
        return new VerifyReport(
                sourceArn,
                targetArn,
                from.toString(),
                to.toString(),
                originals.size(),
                copies.size(),
                missing,
                unexpected,
                duplicates,
                violations,
                sourceByKey.size(),
                missingExamples,
                unexpectedExamples,
                duplicateExamples,
                orderExamples);
    }

    private static Map<String, List<StreamRecord>> byKey(List<StreamRecord> records) {
        Map<String, List<StreamRecord>> byKey = new HashMap<>();
        for (StreamRecord r : records) {
            byKey.computeIfAbsent(r.partitionKey, k -> new ArrayList<>()).add(r);
        }
        byKey.values().forEach(list -> list.sort(StreamScanner.sequenceOrder()));
        return byKey;
    }

    private static void addExample(List<String> examples, StreamRecord record) {
        if (examples.size() < EXAMPLES) {
            examples.add(record.describe());
        }
    }
}
