package io.kinesisha.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.kinesisha.testkit.KeyedOrder.Verdict;
import org.junit.jupiter.api.Test;

/** The payload format and the per-key order rule every check of the project shares. */
class KeyedOrderTest {
    @Test
    void payloadsParseWithAndWithoutPaddingAndOthersAreNotOurs() {
        assertThat(KeyedPayload.parse("key-7:12|xxxx")).get().satisfies(p -> {
            assertThat(p.key()).isEqualTo("key-7");
            assertThat(p.counter()).isEqualTo(12);
            assertThat(p.id()).isEqualTo("key-7:12");
        });
        assertThat(KeyedPayload.parse("a:b:3"))
                .get()
                .extracting(KeyedPayload::key)
                .isEqualTo("a:b");
        assertThat(KeyedPayload.parse("heartbeat")).isEmpty();
        assertThat(KeyedPayload.parse("k:x")).isEmpty();
        assertThat(KeyedPayload.parse("k:0")).isEmpty();
        assertThat(KeyedPayload.parse(":5")).isEmpty();
    }

    @Test
    void firstOccurrencesMustRiseDuplicatesAreCountedApart() {
        KeyedOrder order = new KeyedOrder();

        assertThat(order.accept("a:1")).isEqualTo(Verdict.IN_ORDER);
        assertThat(order.accept("b:1")).isEqualTo(Verdict.IN_ORDER);
        assertThat(order.accept("a:3")).isEqualTo(Verdict.IN_ORDER);
        assertThat(order.accept("a:2")).as("first occurrence below a:3").isEqualTo(Verdict.LATE);
        assertThat(order.accept("a:1"))
                .as("met again: a re-delivery, not a reorder")
                .isEqualTo(Verdict.DUPLICATE);
        assertThat(order.accept("a:4|pad")).isEqualTo(Verdict.IN_ORDER);
        assertThat(order.accept("a:4")).as("padding is not identity").isEqualTo(Verdict.DUPLICATE);
        assertThat(order.accept("noise")).isEqualTo(Verdict.NOT_KEYED);

        assertThat(order.records()).isEqualTo(8);
        assertThat(order.duplicates()).isEqualTo(2);
        assertThat(order.late()).isEqualTo(1);
        assertThat(order.repeated()).containsOnly(entry("a:1", 2), entry("a:4", 2));
        assertThat(order.occurrences("noise")).isEqualTo(1);
        assertThat(order.occurrences("a:3|other padding")).isEqualTo(1);
        assertThat(order.occurrences("b:2")).isZero();
        assertThat(order.distinct()).isEqualTo(5);
        assertThat(order.keys()).isEqualTo(2);
    }

    @Test
    void gapsAreTheCountersBelowTheHighestNeverMet() {
        KeyedOrder order = new KeyedOrder();
        for (String p : new String[] {"a:1", "a:4", "b:2", "b:2", "c:1"}) {
            order.accept(p);
        }

        assertThat(order.gaps()).isEqualTo(3);
        assertThat(order.gapExamples(10)).containsExactly("a:2", "a:3", "b:1");
        assertThat(order.gapExamples(2)).containsExactly("a:2", "a:3");
        assertThat(order.seen("a:4")).isTrue();
        assertThat(order.seen("a:2")).isFalse();
    }
}
