package io.kinesisha.replicator.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The per-key scheduling rule on its own, driven like the writer drives it: batches taken, entries acknowledged or
 * failed and retried after a backoff, in random interleavings. Whatever happens, a key never has two entries in
 * flight and its entries are acknowledged in the order they were added.
 */
class KeySchedulerTest {

    @Test
    void aBatchTakesOneHeadPerKeyInTheOrderKeysBecameReady() {
        KeyScheduler<E> s = new KeyScheduler<>();
        add(s, "a", 1, 10);
        add(s, "b", 1, 10);
        add(s, "a", 2, 10);
        add(s, "c", 1, 10);
        assertThat(names(s.takeBatch(10, 1_000))).containsExactly("a1", "b1", "c1");
        assertThat(s.readyKeys()).isZero();
        assertThat(s.takeBatch(10, 1_000)).as("a2 waits while a1 is in flight").isEmpty();
    }

    @Test
    void countAndByteBudgetsCutABatchButAnOversizeEntryGoesAlone() {
        KeyScheduler<E> s = new KeyScheduler<>();
        add(s, "a", 1, 60);
        add(s, "b", 1, 60);
        add(s, "c", 1, 500);
        add(s, "d", 1, 10);
        assertThat(names(s.takeBatch(10, 100))).containsExactly("a1");
        assertThat(names(s.takeBatch(10, 100))).containsExactly("b1");
        assertThat(names(s.takeBatch(10, 100)))
                .as("larger than the budget: alone")
                .containsExactly("c1");
        assertThat(names(s.takeBatch(1, 100))).containsExactly("d1");
    }

    @Test
    void anAcknowledgedHeadReadiesItsKeysNextEntryAtTheBack() {
        KeyScheduler<E> s = new KeyScheduler<>();
        E a1 = add(s, "a", 1, 1);
        add(s, "a", 2, 1);
        add(s, "b", 1, 1);
        s.takeBatch(10, 100);
        assertThat(s.acknowledged(a1)).isTrue();
        assertThat(s.queued("a")).isEqualTo(1);
        assertThat(names(s.takeBatch(10, 100))).containsExactly("a2");
    }

    @Test
    void aFailedHeadStaysFirstAndItsKeyGoesAheadOfOthersWhenItsBackoffEnds() {
        KeyScheduler<E> s = new KeyScheduler<>();
        E a1 = add(s, "a", 1, 1);
        add(s, "a", 2, 1);
        E b1 = add(s, "b", 1, 1);
        s.takeBatch(10, 100);
        s.retryAt(a1, 1_000);
        s.acknowledged(b1);
        add(s, "c", 1, 1);
        assertThat(s.nextRetryAtNanos()).isEqualTo(1_000);
        s.promoteDue(999);
        assertThat(names(s.takeBatch(10, 100))).as("a backs off").containsExactly("c1");
        s.promoteDue(1_000);
        assertThat(names(s.takeBatch(10, 100))).as("a1 again, never a2 first").containsExactly("a1");
        assertThat(s.nextRetryAtNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void anAcknowledgementThatIsNotTheHeadIsReported() {
        KeyScheduler<E> s = new KeyScheduler<>();
        add(s, "a", 1, 1);
        E a2 = add(s, "a", 2, 1);
        assertThat(s.acknowledged(a2)).isFalse();
        assertThat(s.queued("a")).isEqualTo(1);
    }

    /** Random failures, acknowledgements and backoffs over 50 keys: order per key and one in flight, always. */
    @Test
    void randomInterleavingsKeepEveryKeysOrder() {
        Random random = new Random(42);
        KeyScheduler<E> s = new KeyScheduler<>();
        Map<String, Integer> added = new HashMap<>();
        Map<String, Integer> lastAcked = new HashMap<>();
        List<E> inFlight = new ArrayList<>();
        long now = 0;
        int total = 20_000;
        int acked = 0;
        for (int step = 0; acked < total; step++) {
            if (step < total) {
                String key = "k" + random.nextInt(50);
                add(s, key, added.merge(key, 1, Integer::sum), 1 + random.nextInt(100));
            }
            now += random.nextInt(5);
            s.promoteDue(now);
            List<E> batch = s.takeBatch(1 + random.nextInt(20), 500);
            assertThat(batch.stream().map(e -> e.key).distinct().count()).isEqualTo(batch.size());
            for (E e : batch) {
                assertThat(inFlight).noneMatch(f -> f.key.equals(e.key));
            }
            inFlight.addAll(batch);
            for (int i = inFlight.size() - 1; i >= 0; i--) {
                if (random.nextInt(3) != 0) {
                    continue;
                }
                E e = inFlight.remove(i);
                if (random.nextInt(4) == 0) {
                    s.retryAt(e, now + random.nextInt(10));
                } else {
                    assertThat(s.acknowledged(e)).isTrue();
                    Integer previous = lastAcked.put(e.key, e.index);
                    assertThat(e.index).as(e.key).isEqualTo(previous == null ? 1 : previous + 1);
                    acked++;
                }
            }
            if (step > total * 10) {
                throw new AssertionError("no progress: " + acked + " of " + total + " acknowledged");
            }
        }
        assertThat(lastAcked).isEqualTo(added);
    }

    private static E add(KeyScheduler<E> s, String key, int index, int size) {
        E e = new E(key, index, size);
        s.add(e);
        return e;
    }

    private static List<String> names(List<E> batch) {
        return batch.stream().map(e -> e.key + e.index).collect(Collectors.toList());
    }

    private static final class E implements KeyScheduler.Entry {
        final String key;
        final int index;
        final int size;

        E(String key, int index, int size) {
            this.key = key;
            this.index = index;
            this.size = size;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
