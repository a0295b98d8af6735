package io.kinesisha.controller.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.testkit.LocalEnvironmentExtension;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/** verify against two emulated regions: the window is honoured and differences are counted exactly. */
class StreamVerifierEmulatorTest {
    @RegisterExtension
    static final LocalEnvironmentExtension LOCAL = new LocalEnvironmentExtension();

    @Test
    void findsWhatIsMissingDuplicatedAndReorderedWithinTheWindow() {
        String source = LOCAL.env().primary().createStream("verify", 2);
        String target = LOCAL.env().secondary().createStream("verify", 1);
        try (KinesisClient west =
                        LOCAL.env().clients().kinesis(LOCAL.env().primary().target());
                KinesisClient east =
                        LOCAL.env().clients().kinesis(LOCAL.env().secondary().target())) {
            put(west, source, entries(0, 5)); // before the window
            Instant from = Instant.now();
            put(west, source, entries(5, 105)); // in the window: k0..k9, counters 5..104
            Instant to = Instant.now();
            put(west, source, entries(105, 110)); // after the window
            // the "replica": everything from the window but k3:13, k7:17 twice, and k1:21 before k1:11
            List<PutRecordsRequestEntry> copy = entries(5, 105).stream()
                    .filter(e -> !e.data().asUtf8String().equals("k3:13"))
                    .collect(Collectors.toList());
            copy.removeIf(e -> e.data().asUtf8String().equals("k1:11"));
            copy.add(entry(7, 17));
            copy.add(entry(1, 11));
            put(east, target, copy);

            VerifyReport report = new StreamVerifier(new StreamScanner(west), new StreamScanner(east))
                    .verify(source, target, from, to, Instant.now());
            assertThat(report.sourceRecords).isEqualTo(100);
            assertThat(report.missingInTarget).isEqualTo(1);
            assertThat(report.missingExamples).singleElement().asString().contains("k3:13");
            assertThat(report.duplicatesInTarget).isEqualTo(1);
            assertThat(report.orderViolations).as("k1:11 after k1:21").isEqualTo(1);
            assertThat(report.unexpectedInTarget).isZero();
            assertThat(report.clean()).isFalse();
        }
    }

    private static void put(KinesisClient kinesis, String arn, List<PutRecordsRequestEntry> entries) {
        for (PutRecordsRequestEntry e : entries) {
            // one at a time: the order within a key must be the order written
            assertThat(kinesis.putRecords(b -> b.streamARN(arn).records(e)).failedRecordCount())
                    .isZero();
        }
    }

    private static List<PutRecordsRequestEntry> entries(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> entry(i % 10, i)).collect(Collectors.toList());
    }

    private static PutRecordsRequestEntry entry(int key, int counter) {
        return PutRecordsRequestEntry.builder()
                .partitionKey("k" + key)
                .data(SdkBytes.fromUtf8String("k" + key + ":" + counter))
                .build();
    }
}
