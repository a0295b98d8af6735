package io.kinesisha.replicator.source.reader.fanout;

import io.kinesisha.replicator.source.proxy.StreamProxy;
import io.kinesisha.replicator.source.reader.ShardBatch;
import io.kinesisha.replicator.source.reader.ShardConsumer;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.AccessDeniedException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * Reads a shard through an Enhanced Fan-Out subscription without ever blocking an SDK event-loop thread: the
 * subscriber only queues what arrives and asks for one more event after the split reader has taken the last
 * one. Back-pressure therefore stops the flow at the HTTP/2 stream instead of parking a Netty thread (the
 * upstream connector's deadlock). Subscriptions that end (every 5 minutes), fail, or go silent (no event for
 * the silence timeout: a dead connection the SDK never reported) are renewed from the last position;
 * ResourceInUseException (a lease still held after a restart) is retried with backoff.
 *
 * <p>The consumer ARN is asked for at every subscription, never taken from restored state: the enumerator owns it
 * and replaces it when the consumer was deregistered. A subscription that fails with ResourceNotFoundException
 * marks that ARN stale ({@link ConsumerNotFoundException}); the split reader decides whether the shard or the
 * consumer is gone.
 */
public final class FanOutShardConsumer implements ShardConsumer {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutShardConsumer.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    /**
     * Kinesis pushes an event at least every few seconds on a live subscription, so a longer silence means its
     * connection died without the SDK reporting it (an HTTP/2 PING timeout can lose the error).
     */
    public static final Duration DEFAULT_SILENCE_TIMEOUT = Duration.ofSeconds(15);
    /** Consecutive silent renewals double the allowance up to this multiple of the silence timeout. */
    static final int MAX_SILENCE_MULTIPLE = 16;

    private final StreamProxy proxy;
    private final Supplier<String> consumerArns;
    private final String shardId;
    private final Runnable dataArrived;
    private final LongSupplier nanoClock;
    private final Duration silenceTimeout;
    /**
     * The silence the current subscription is allowed: the timeout, doubled after each renewal that brought no
     * event. A service that is only slow (it may take longer than the timeout to send a subscription's first event,
     * and every renewal starts that work again) is then eventually waited for, while a dead connection is still
     * replaced after the timeout once events have flowed.
     */
    private Duration allowedSilence;

    private final Runnable renewedSilent;
    private final ConcurrentLinkedQueue<Object> inbox = new ConcurrentLinkedQueue<>();
    private ShardStartingPosition position;
    private EventSubscriber current;
    private int generation;
    private String consumerArn;
    private String staleConsumerArn;
    private long resubscribeAtNanos;
    /** When the current subscription last delivered an event or was asked for one. */
    private long lastActivityNanos;

    private Duration backoff = MIN_BACKOFF;
    private boolean closed;

    /**
     * @param silenceTimeout a subscription that delivers no event for this long after being asked for one is
     *     cancelled and renewed
     * @param renewedSilent told each time that happens (a metric)
     */
    public FanOutShardConsumer(
            StreamProxy proxy,
            Supplier<String> consumerArns,
            String shardId,
            ShardStartingPosition position,
            Runnable dataArrived,
            LongSupplier nanoClock,
            Duration silenceTimeout,
            Runnable renewedSilent) {
        this.proxy = proxy;
        this.consumerArns = consumerArns;
        this.shardId = shardId;
        this.position = position;
        this.dataArrived = dataArrived;
        this.nanoClock = nanoClock;
        this.silenceTimeout = silenceTimeout;
        this.allowedSilence = silenceTimeout;
        this.renewedSilent = renewedSilent;
    }

    @Override
    public ShardBatch poll() throws IOException {
        if (current == null) {
            if (nanoClock.getAsLong() >= resubscribeAtNanos) {
                subscribe();
            }
            return ShardBatch.nothing();
        }
        Object item;
        while ((item = inbox.poll()) != null) {
            Signal signal = (Signal) item;
            if (signal.generation != generation) {
                continue;
            }
            if (signal.event != null) {
                return take(signal.event);
            }
            if (signal.error != null) {
                failed(signal.error);
                return ShardBatch.nothing();
            }
            LOG.debug("subscription to {} ended; renewing from {}", shardId, position);
            current = null;
            resubscribeAtNanos = 0;
            return ShardBatch.nothing();
        }
        renewIfSilent();
        return ShardBatch.nothing();
    }

    /**
     * A connection can die without the SDK reporting an error or completion (seen after HTTP/2 PING timeouts
     * under load): the subscription would then wait forever. Only the time since this consumer last asked for an
     * event counts, so a reader that holds events back (back-pressure) never looks silent.
     */
    private void renewIfSilent() {
        long silentNanos = nanoClock.getAsLong() - lastActivityNanos;
        if (silentNanos < allowedSilence.toNanos()) {
            return;
        }
        Duration longest = silenceTimeout.multipliedBy(MAX_SILENCE_MULTIPLE);
        allowedSilence =
                allowedSilence.multipliedBy(2).compareTo(longest) > 0 ? longest : allowedSilence.multipliedBy(2);
        LOG.warn(
                "subscription to {} delivered no event for {} ms; cancelling it and renewing from {} (the new one may"
                        + " be silent for {} ms)",
                shardId,
                Duration.ofNanos(silentNanos).toMillis(),
                position,
                allowedSilence.toMillis());
        current.cancel();
        current = null;
        resubscribeAtNanos = 0;
        renewedSilent.run();
    }

    private ShardBatch take(SubscribeToShardEvent event) {
        List<Record> records = new ArrayList<>(event.records());
        if (!records.isEmpty()) {
            position = ShardStartingPosition.afterSequenceNumber(
                    records.get(records.size() - 1).sequenceNumber());
        } else if (event.continuationSequenceNumber() != null && position.sequenceNumber() == null) {
            // nothing read yet: a renewed subscription must not jump to LATEST and skip what arrived meanwhile
            position = ShardStartingPosition.atSequenceNumber(event.continuationSequenceNumber());
        }
        backoff = MIN_BACKOFF;
        allowedSilence = silenceTimeout;
        lastActivityNanos = nanoClock.getAsLong();
        boolean end = event.continuationSequenceNumber() == null;
        current.requestNext();
        long behind = event.millisBehindLatest() == null ? -1 : event.millisBehindLatest();
        return ShardBatch.of(records, behind, end);
    }

    private void failed(Throwable error) throws IOException {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        current = null;
        if (cause instanceof ResourceNotFoundException) {
            staleConsumerArn = consumerArn;
            resubscribeAtNanos = nanoClock.getAsLong() + MAX_BACKOFF.toNanos();
            throw new ConsumerNotFoundException(shardId, consumerArn, cause);
        }
        if (cause instanceof AccessDeniedException || cause instanceof InvalidArgumentException) {
            throw new IOException(
                    "SubscribeToShard " + shardId + " with " + consumerArn + " failed: " + cause.getMessage(), cause);
        }
        boolean leaseHeld = cause instanceof ResourceInUseException
                || String.valueOf(cause.getMessage()).contains("ResourceInUse");
        Duration wait = leaseHeld ? Duration.ofMillis(Math.max(backoff.toMillis(), 1000)) : backoff;
        LOG.info(
                "subscription to {} failed ({}); resubscribing in {} ms from {}",
                shardId,
                cause.toString(),
                wait.toMillis(),
                position);
        resubscribeAtNanos = nanoClock.getAsLong() + wait.toNanos();
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void subscribe() {
        if (closed) {
            return;
        }
        String arn = consumerArns.get();
        if (arn == null || arn.equals(staleConsumerArn)) {
            // the enumerator has not (re-)registered the consumer yet: ask again shortly
            resubscribeAtNanos = nanoClock.getAsLong() + MIN_BACKOFF.toNanos();
            return;
        }
        consumerArn = arn;
        int gen = ++generation;
        EventSubscriber subscriber = new EventSubscriber(gen);
        current = subscriber;
        lastActivityNanos = nanoClock.getAsLong();
        CompletableFuture<Void> done = proxy.subscribeToShard(
                arn,
                shardId,
                position,
                SubscribeToShardResponseHandler.builder()
                        .subscriber(() -> subscriber)
                        .onError(t -> deliver(new Signal(gen, null, t)))
                        .build());
        done.whenComplete((ok, t) -> {
            if (t != null) {
                deliver(new Signal(gen, null, t));
            }
        });
    }

    private void deliver(Signal signal) {
        inbox.add(signal);
        dataArrived.run();
    }

    @Override
    public void close() {
        closed = true;
        if (current != null) {
            current.cancel();
            current = null;
        }
    }

    private static final class Signal {
        final int generation;
        final SubscribeToShardEvent event;
        final Throwable error;

        Signal(int generation, SubscribeToShardEvent event, Throwable error) {
            this.generation = generation;
            this.event = event;
            this.error = error;
        }
    }

    /** Runs on SDK threads: only queues and signals, never blocks. */
    private final class EventSubscriber implements Subscriber<SubscribeToShardEventStream> {
        private final int gen;
        private volatile Subscription subscription;
        private volatile boolean cancelled;

        EventSubscriber(int gen) {
            this.gen = gen;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            if (cancelled) {
                s.cancel();
            } else {
                s.request(1);
            }
        }

        @Override
        public void onNext(SubscribeToShardEventStream item) {
            if (item instanceof SubscribeToShardEvent) {
                deliver(new Signal(gen, (SubscribeToShardEvent) item, null));
            } else {
                requestNext();
            }
        }

        @Override
        public void onError(Throwable t) {
            deliver(new Signal(gen, null, t));
        }

        @Override
        public void onComplete() {
            deliver(new Signal(gen, null, null));
        }

        void requestNext() {
            Subscription s = subscription;
            if (s != null && !cancelled) {
                s.request(1);
            }
        }

        void cancel() {
            cancelled = true;
            Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
