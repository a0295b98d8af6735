package io.kinesisha.replicator.source.reader.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.kinesisha.replicator.source.proxy.StreamProxy;
import io.kinesisha.replicator.source.reader.ShardBatch;
import io.kinesisha.replicator.source.split.ShardStartingPosition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponse;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

class FanOutShardConsumerTest {
    private static final Duration SILENCE = Duration.ofSeconds(15);
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final AtomicInteger renewedSilent = new AtomicInteger();
    private final SubscribingProxy proxy = new SubscribingProxy();
    private final FanOutShardConsumer consumer = new FanOutShardConsumer(
            proxy,
            () -> "arn:consumer",
            "shardId-000000000000",
            ShardStartingPosition.trimHorizon(),
            () -> {},
            nanos::get,
            SILENCE,
            renewedSilent::incrementAndGet);

    @Test
    void aSubscriptionThatGoesSilentIsRenewedAfterTheLastRecordWithoutLossOrReorder() throws Exception {
        FakeSubscription first = subscribe(0);
        first.push(event("2", "1", "2"));
        List<String> read = new ArrayList<>(pollUntilRecords());

        // the connection dies without error or completion: no event, ever
        nanos.addAndGet(SILENCE.minusSeconds(5).toNanos());
        assertThat(consumer.poll().records()).isEmpty();
        assertThat(proxy.subscriptions).as("not renewed before the timeout").hasSize(1);
        nanos.addAndGet(Duration.ofSeconds(6).toNanos());

        FakeSubscription second = subscribe(1);
        assertThat(first.cancelled).as("the silent subscription is cancelled").isTrue();
        assertThat(proxy.positions.get(1)).isEqualTo(ShardStartingPosition.afterSequenceNumber("2"));
        assertThat(renewedSilent).hasValue(1);

        first.push(event("3", "3")); // a late event from the dead subscription is ignored
        second.push(event("4", "3", "4"));
        read.addAll(pollUntilRecords());
        assertThat(read).containsExactly("1", "2", "3", "4");
    }

    @Test
    void aServiceSlowerThanTheSilenceTimeoutIsGivenLongerEachRenewalUntilItAnswers() throws Exception {
        // a loaded service (seen: the emulator under CPU starvation, 55 s) takes 40 s to send a subscription's first
        // event; renewing every 15 s would start its work again each time and never read anything
        Duration firstEvent = Duration.ofSeconds(40);
        FakeSubscription answered = null;
        for (int i = 0; answered == null; i++) {
            FakeSubscription subscription = subscribe(i);
            for (long waited = 0; waited < firstEvent.toSeconds() && proxy.subscriptions.size() == i + 1; ) {
                nanos.addAndGet(Duration.ofSeconds(5).toNanos());
                waited += 5;
                consumer.poll();
                if (waited == firstEvent.toSeconds() && renewedSilent.get() == i) {
                    answered = subscription;
                }
            }
            assertThat(i)
                    .as("subscriptions renewed before the service answered")
                    .isLessThan(5);
        }
        assertThat(proxy.subscriptions)
                .as("15 s, then 30 s, then 60 s: the third subscription lives long enough to be answered")
                .hasSize(3);
        answered.push(event("1", "1"));
        assertThat(pollUntilRecords()).containsExactly("1");

        // an event resets the allowance: a dead connection is again noticed after the configured timeout
        nanos.addAndGet(SILENCE.plusSeconds(1).toNanos());
        subscribe(3);
        assertThat(renewedSilent).hasValue(3);
    }

    @Test
    void renewalsOfASilentSubscriptionAreSpacedOutToAtMostSixteenTimesTheTimeout() throws Exception {
        long[] allowed = new long[7];
        for (int i = 0; i < allowed.length; i++) {
            subscribe(i);
            long opened = nanos.get();
            while (renewedSilent.get() == i) {
                nanos.addAndGet(Duration.ofSeconds(1).toNanos());
                consumer.poll();
            }
            allowed[i] = Duration.ofNanos(nanos.get() - opened).toSeconds();
        }
        assertThat(allowed).containsExactly(15, 30, 60, 120, 240, 240, 240);
    }

    @Test
    void aSubscriptionWaitingForTheReaderIsNotSilent() throws Exception {
        FakeSubscription first = subscribe(0);
        first.push(event("1", "1"));
        nanos.addAndGet(SILENCE.multipliedBy(3).toNanos()); // the reader was busy (back-pressure) for long
        assertThat(pollUntilRecords()).containsExactly("1");
        assertThat(proxy.subscriptions).hasSize(1);
        assertThat(renewedSilent).hasValue(0);
    }

    private FakeSubscription subscribe(int index) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            consumer.poll();
            return proxy.subscriptions.size() > index;
        });
        return proxy.subscriptions.get(index);
    }

    private List<String> pollUntilRecords() {
        List<String> out = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            ShardBatch batch = consumer.poll();
            out.addAll(batch.records().stream().map(Record::sequenceNumber).collect(Collectors.toList()));
            return !batch.records().isEmpty();
        });
        return out;
    }

    private static SubscribeToShardEvent event(String continuation, String... sequenceNumbers) {
        List<Record> records = new ArrayList<>();
        for (String sn : sequenceNumbers) {
            records.add(Record.builder()
                    .sequenceNumber(sn)
                    .partitionKey("k")
                    .data(SdkBytes.fromUtf8String(sn))
                    .build());
        }
        return SubscribeToShardEvent.builder()
                .records(records)
                .continuationSequenceNumber(continuation)
                .millisBehindLatest(0L)
                .build();
    }

    /** One HTTP/2 event stream: the test pushes events, honouring the subscriber's demand. */
    private static final class FakeSubscription implements Subscription {
        private final Subscriber<? super SubscribeToShardEventStream> subscriber;
        private final AtomicLong demand = new AtomicLong();
        volatile boolean cancelled;

        FakeSubscription(Subscriber<? super SubscribeToShardEventStream> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            demand.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        void push(SubscribeToShardEvent event) {
            if (cancelled) {
                subscriber.onNext(event); // what a racing SDK thread may still deliver
                return;
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> demand.get() > 0);
            demand.decrementAndGet();
            subscriber.onNext(event);
        }
    }

    /** Only SubscribeToShard: every call opens an event stream that stays silent until the test pushes. */
    private static final class SubscribingProxy implements StreamProxy {
        final List<FakeSubscription> subscriptions = new CopyOnWriteArrayList<>();
        final List<ShardStartingPosition> positions = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> subscribeToShard(
                String consumerArn,
                String shardId,
                ShardStartingPosition position,
                SubscribeToShardResponseHandler handler) {
            positions.add(position);
            handler.responseReceived(SubscribeToShardResponse.builder().build());
            SdkPublisher<SubscribeToShardEventStream> stream = s -> {
                FakeSubscription subscription = new FakeSubscription(s);
                subscriptions.add(subscription);
                s.onSubscribe(subscription);
            };
            handler.onEventStream(stream);
            return new CompletableFuture<>(); // the connection never reports anything
        }

        @Override
        public List<Shard> listShards(String streamArn) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String shardIterator(String streamArn, String shardId, ShardStartingPosition position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public GetRecordsResponse getRecords(String streamArn, String shardIterator, int limit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String registerConsumer(String streamArn, String name, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String awaitActive(String consumerArn, Duration timeout) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean consumerUsable(String consumerArn) {
            return true;
        }

        @Override
        public void deregisterConsumer(String streamArn, String consumerName) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {}
    }
}
