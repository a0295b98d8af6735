package io.kinesisha.controller.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamVerifierTest {
    private static final Instant T = Instant.parse("2026-11-22T00:00:00Z");

    @Test
    void identicalStreamsAreClean() {
        VerifyReport report = compare(records("a:1", "a:2", "b:1"), records("a:1", "b:1", "a:2"));
        assertThat(report.clean()).isTrue();
        assertThat(report.sourceRecords).isEqualTo(3);
        assertThat(report.keys).isEqualTo(2);
        assertThat(report.duplicatesInTarget).isZero();
    }

    @Test
    void countsMissingUnexpectedDuplicateAndReordered() {
        VerifyReport report =
                compare(records("a:1", "a:2", "a:3", "b:1", "c:1"), records("a:1", "a:3", "a:2", "b:1", "b:1", "d:1"));
        assertThat(report.missingInTarget).as("c:1").isEqualTo(1);
        assertThat(report.missingExamples).singleElement().asString().contains("key=c data=c:1");
        assertThat(report.unexpectedInTarget).as("d:1").isEqualTo(1);
        assertThat(report.duplicatesInTarget).as("second b:1").isEqualTo(1);
        assertThat(report.orderViolations).as("a:2 after a:3").isEqualTo(1);
        assertThat(report.orderExamples).singleElement().asString().contains("a:2");
        assertThat(report.clean()).isFalse();
    }

    @Test
    void identicalPayloadsAreCountedAsAMultiset() {
        VerifyReport oneCopyMissing = compare(records("a:x", "a:x"), records("a:x"));
        assertThat(oneCopyMissing.missingInTarget).isEqualTo(1);
        VerifyReport bothThere = compare(records("a:x", "a:x"), records("a:x", "a:x"));
        assertThat(bothThere.clean()).isTrue();
        assertThat(bothThere.duplicatesInTarget).isZero();
    }

    @Test
    void aRedeliveredOlderRecordIsADuplicateNotAReorder() {
        VerifyReport report = compare(records("a:1", "a:2", "a:3"), records("a:1", "a:2", "a:3", "a:2", "a:3"));
        assertThat(report.duplicatesInTarget).isEqualTo(2);
        assertThat(report.orderViolations).isZero();
        assertThat(report.clean()).isTrue();
    }

    private static VerifyReport compare(List<StreamRecord> source, List<StreamRecord> target) {
        return StreamVerifier.compare("src", "dst", T, T.plusSeconds(60), source, target);
    }

    /** "key:payload" entries in stream order, with increasing sequence numbers. */
    private static List<StreamRecord> records(String... entries) {
        List<StreamRecord> records = new ArrayList<>();
        for (int i = 0; i < entries.length; i++) {
            String key = entries[i].substring(0, entries[i].indexOf(':'));
            records.add(new StreamRecord(
                    "shardId-0",
                    String.valueOf(1000 + i),
                    T.toEpochMilli() + i,
                    key,
                    entries[i].getBytes(StandardCharsets.UTF_8)));
        }
        return records;
    }
}
