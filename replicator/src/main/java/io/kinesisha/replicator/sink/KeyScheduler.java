package io.kinesisha.replicator.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The rule that keeps per-key order in the target, apart from any I/O: entries wait in a FIFO queue per partition key;
 * a batch takes the head of each key that has nothing in flight, in the order keys became ready; a failed head stays
 * at the head and its key is ready again after its backoff, ahead of keys that never failed. So at most one entry of a
 * key is ever in flight, and a later entry of a key can never overtake an earlier one. Single-threaded (the writer's
 * task thread); the writer owns timing, sending and acknowledgements.
 *
 * @param <E> the writer's entry
 */
final class KeyScheduler<E extends KeyScheduler.Entry> {
    /** What the scheduler needs to know of an entry. */
    interface Entry {
        String key();

        /** Bytes the entry counts against a request's budget. */
        int size();
    }

    private enum KeyState {
        IDLE,
        READY,
        IN_FLIGHT,
        BACKING_OFF
    }

    private final Map<String, KeyQueue<E>> keys = new HashMap<>();
    /** Keys whose head may be sent now, in the order they became ready. */
    private final ArrayDeque<KeyQueue<E>> ready = new ArrayDeque<>();
    /** Keys whose head failed and waits for its backoff to pass. */
    private final PriorityQueue<KeyQueue<E>> backingOff =
            new PriorityQueue<>(Comparator.comparingLong((KeyQueue<E> k) -> k.retryAtNanos));

    /** Queues {@code entry} behind the earlier entries of its key. */
    void add(E entry) {
        KeyQueue<E> queue = keys.computeIfAbsent(entry.key(), KeyQueue::new);
        queue.entries.addLast(entry);
        if (queue.state == KeyState.IDLE) {
            queue.state = KeyState.READY;
            ready.addLast(queue);
        }
    }

    /** Entries of {@code key} not yet acknowledged (in flight, backing off or waiting). */
    int queued(String key) {
        KeyQueue<E> queue = keys.get(key);
        return queue == null ? 0 : queue.entries.size();
    }

    /** Keys whose head may be sent now. */
    int readyKeys() {
        return ready.size();
    }

    /** When the earliest backoff ends, {@code Long.MAX_VALUE} if no key backs off. */
    long nextRetryAtNanos() {
        return backingOff.isEmpty() ? Long.MAX_VALUE : backingOff.peek().retryAtNanos;
    }

    /** Keys whose backoff has ended are ready again, first in line, in the order their backoffs ended. */
    void promoteDue(long nowNanos) {
        List<KeyQueue<E>> due = null;
        while (!backingOff.isEmpty() && backingOff.peek().retryAtNanos <= nowNanos) {
            if (due == null) {
                due = new ArrayList<>();
            }
            due.add(backingOff.poll());
        }
        if (due != null) {
            for (int i = due.size() - 1; i >= 0; i--) {
                KeyQueue<E> queue = due.get(i);
                queue.state = KeyState.READY;
                ready.addFirst(queue);
            }
        }
    }

    /**
     * The next request: the heads of ready keys, in order, up to {@code maxCount} entries and {@code maxBytes} (an entry
     * larger than the budget goes alone). Their keys are in flight until {@link #acknowledged} or {@link #retryAt}.
     */
    List<E> takeBatch(int maxCount, long maxBytes) {
        List<E> batch = new ArrayList<>(Math.min(maxCount, ready.size()));
        long bytes = 0;
        while (batch.size() < maxCount && !ready.isEmpty()) {
            E head = ready.peekFirst().entries.peekFirst();
            if (!batch.isEmpty() && bytes + head.size() > maxBytes) {
                break;
            }
            ready.pollFirst().state = KeyState.IN_FLIGHT;
            batch.add(head);
            bytes += head.size();
        }
        return batch;
    }

    /**
     * {@code entry} is in the target: it leaves its queue and its key's next entry becomes ready. False if it was not
     * its key's oldest entry (cannot happen while one entry per key is in flight; the writer counts it).
     */
    boolean acknowledged(E entry) {
        KeyQueue<E> queue = keys.get(entry.key());
        if (queue == null) {
            return false;
        }
        boolean inOrder = queue.entries.peekFirst() == entry;
        if (inOrder) {
            queue.entries.pollFirst();
        } else {
            queue.entries.remove(entry);
        }
        if (queue.state == KeyState.IN_FLIGHT) {
            if (queue.entries.isEmpty()) {
                queue.state = KeyState.IDLE;
                keys.remove(entry.key());
            } else {
                queue.state = KeyState.READY;
                ready.addLast(queue);
            }
        }
        return inOrder;
    }

    /** {@code entry} failed: it stays at the head of its key, which is ready again at {@code atNanos}. */
    void retryAt(E entry, long atNanos) {
        KeyQueue<E> queue = keys.get(entry.key());
        queue.retryAtNanos = atNanos;
        queue.state = KeyState.BACKING_OFF;
        backingOff.add(queue);
    }

    private static final class KeyQueue<E> {
        final String key;
        final ArrayDeque<E> entries = new ArrayDeque<>();
        KeyState state = KeyState.IDLE;
        long retryAtNanos;

        KeyQueue(String key) {
            this.key = key;
        }
    }
}
