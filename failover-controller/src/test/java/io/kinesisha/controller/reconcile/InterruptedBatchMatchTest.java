package io.kinesisha.controller.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.kinesisha.controller.reconcile.InterruptedBatchMatch.Decision;
import io.kinesisha.controller.reconcile.InterruptedBatchMatch.Landed;
import io.kinesisha.controller.reconcile.InterruptedBatchMatch.Outcome;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Per key in order, bounded, and never trusting bytes that the key carries more than once. */
class InterruptedBatchMatchTest {
    private static int sequence;

    @Test
    void aCopyAloneInTheBoundIsRecognisedAndAMissingOneIsWritten() {
        Orphan a = orphan("a", "1");
        Orphan b = orphan("b", "1");
        List<Decision> d = InterruptedBatchMatch.match(List.of(a, b), List.of(landed("s0@5", "a", "1")), Set.of());

        assertThat(outcomes(d)).containsExactly(Outcome.RECOGNISED, Outcome.MISSING);
        assertThat(d.get(0).target()).isEqualTo("s0@5");
    }

    @Test
    void moreIdenticalRecordsInTheBoundThanTheBatchHoldsAreAmbiguous() {
        Orphan a = orphan("a", "beat");
        List<Decision> d = InterruptedBatchMatch.match(
                List.of(a), List.of(landed("s0@5", "a", "beat"), landed("s0@6", "a", "beat")), Set.of());

        assertThat(outcomes(d)).containsExactly(Outcome.AMBIGUOUS);
        assertThat(d.get(0).target()).isNull();
    }

    @Test
    void aLoneIdenticalRecordIsAmbiguousWhenTheKeyRepeatsThoseBytesElsewhere() {
        Orphan a = orphan("a", "beat");
        List<Landed> bound = List.of(landed("s0@5", "a", "beat"));

        assertThat(outcomes(InterruptedBatchMatch.match(List.of(a), bound, Set.of(a.content()))))
                .containsExactly(Outcome.AMBIGUOUS);
        assertThat(outcomes(InterruptedBatchMatch.match(List.of(a), bound, Set.of())))
                .containsExactly(Outcome.RECOGNISED);
    }

    @Test
    void aKeysRecordsAreMatchedInOrderAndOtherKeysBytesNeverCount() {
        Orphan first = orphan("a", "1");
        Orphan second = orphan("a", "2");
        // "2" landed before "1" on key a: only one of them can be the copy of an in-order pair; b's "1" is b's
        List<Landed> bound = List.of(landed("s0@5", "a", "2"), landed("s0@6", "a", "1"), landed("s0@7", "b", "1"));
        List<Decision> d = InterruptedBatchMatch.match(List.of(first, second), bound, Set.of());

        assertThat(outcomes(d)).containsExactly(Outcome.RECOGNISED, Outcome.MISSING);
        assertThat(d.get(0).target()).isEqualTo("s0@6");
    }

    private static List<Outcome> outcomes(List<Decision> decisions) {
        return decisions.stream().map(Decision::outcome).collect(Collectors.toList());
    }

    private static Orphan orphan(String key, String payload) {
        return new Orphan("old-0", Integer.toString(++sequence), 0, key, payload.getBytes(StandardCharsets.UTF_8));
    }

    private static Landed landed(String target, String key, String payload) {
        return new Landed(target, key, orphan(key, payload).content());
    }
}
