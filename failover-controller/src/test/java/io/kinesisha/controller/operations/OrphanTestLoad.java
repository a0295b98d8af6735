package io.kinesisha.controller.operations;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.controller.operations.steps.StepParameters;
import io.kinesisha.controller.statemachine.PairEvent;
import io.kinesisha.controller.statemachine.Step;
import io.kinesisha.controller.verify.StreamScanner;
import io.kinesisha.controller.verify.StreamVerifier;
import io.kinesisha.controller.verify.VerifyReport;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.core.SdkBytes;

/**
 * What the orphan tests ({@link FalseOrphansTest}, {@link FollowReplicatorOrphansTest}) write and check, kept in one
 * place so both judge orphans against the same load: keyed records written one at a time ({@code <key>:<tag>-<i>}
 * over 10 keys, so per-key order is the payload order), stream counts and verify over everything since the test
 * began, a failback run up to a step (where an operator might abandon it), and the replicator of the test, stopped
 * after it. Registered per test instance, so every test starts from nothing written.
 */
final class OrphanTestLoad implements AfterEachCallback {
    /** The controller's progress lines of the test. */
    final List<String> progress = new CopyOnWriteArrayList<>();

    private final Instant started = Instant.now().minusSeconds(60);
    private int written;
    private AutoCloseable replicator;

    /** {@code replicator}, stopped after the test (closing it earlier, and again then, is harmless). */
    <T extends AutoCloseable> T stoppedAfterTest(T replicator) {
        this.replicator = replicator;
        return replicator;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (replicator != null) {
            replicator.close();
        }
    }

    /** {@code n} records over 10 keys, one at a time (per-key order is the payload order). */
    void produce(PairContext ctx, String region, String tag, int n) {
        for (int i = 0; i < n; i++) {
            String key = "k" + (i % 10);
            String payload = key + ":" + tag + "-" + i;
            ctx.kinesis(region)
                    .putRecord(b -> b.streamARN(ctx.streamArn(region))
                            .partitionKey(key)
                            .data(SdkBytes.fromUtf8String(payload)));
        }
        written += n;
    }

    /** Records produced so far (a republished orphan counts once: it is one record in each stream). */
    int written() {
        return written;
    }

    /** Records in {@code region}'s stream since the test began. */
    long count(PairContext ctx, String region) {
        return new StreamScanner(ctx.kinesis(region))
                .scan(ctx.streamArn(region), started, Instant.now().plusSeconds(60))
                .size();
    }

    /**
     * Verify from {@code source} to the pair's other region, over everything since the test began: nothing lost,
     * nothing unexpected, nothing copied twice or back, every record produced in {@code source}. Returns the report
     * for the order checks, which differ by test.
     */
    VerifyReport assertCleanFrom(PairContext ctx, String source) {
        String target = ctx.other(source);
        Instant to = Instant.now().plusSeconds(60);
        VerifyReport v = new StreamVerifier(
                        new StreamScanner(ctx.kinesis(source)), new StreamScanner(ctx.kinesis(target)))
                .verify(ctx.streamArn(source), ctx.streamArn(target), started, to, to);
        assertThat(v.missingInTarget)
                .as(source + " -> " + target + " lost " + v.missingExamples)
                .isZero();
        assertThat(v.unexpectedInTarget)
                .as(source + " -> " + target + " unexpected " + v.unexpectedExamples)
                .isZero();
        assertThat(v.duplicatesInTarget)
                .as(source + " -> " + target + " duplicates/loops " + v.duplicateExamples)
                .isZero();
        assertThat(v.sourceRecords).as("records in " + source).isEqualTo(written);
        return v;
    }

    /**
     * Requests a failback (no dwell, catch-up bounded by {@code catchUpTimeout}) and runs it until {@code last} is
     * done, as a controller that stopped there would leave it.
     */
    void runFailbackUntil(PairContext ctx, Step last, Duration catchUpTimeout) {
        Map<String, String> params =
                new HashMap<>(OperationDriver.failoverParameters(ctx.control().read(ctx.pair())));
        params.put(StepParameters.DWELL.key(), "0");
        params.put(StepParameters.CATCH_UP_TIMEOUT.key(), Long.toString(catchUpTimeout.toMillis()));
        assertThat(ctx.control()
                        .fire(ctx.pair(), PairEvent.FAILBACK_REQUESTED, params, Map.of("reason", "test"))
                        .applied())
                .isTrue();
        LocalPairs.runUntilAfter(ctx, last, progress::add);
    }
}
