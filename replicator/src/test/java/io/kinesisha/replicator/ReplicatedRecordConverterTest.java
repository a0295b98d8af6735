package io.kinesisha.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.kinesis.agg.AggRecord;
import io.kinesisha.replicator.sink.SinkEntry;
import io.kinesisha.replicator.source.KinesisRecord;
import io.kinesisha.replicator.source.ShardStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicatedRecordConverterTest {
    private final ReplicatedRecordConverter converter = new ReplicatedRecordConverter();

    @Test
    void aPlainRecordIsWrittenAsItIs() {
        byte[] data = "key-1:1".getBytes(StandardCharsets.UTF_8);

        List<SinkEntry> entries = converter.convertAll(ReplicatedRecord.of(record("key-1", data)));

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).partitionKey()).isEqualTo("key-1");
        assertThat(entries.get(0).data()).isSameAs(data);
        assertThat(entries.get(0).explicitHashKey()).isNull();
    }

    @Test
    void anAggregateIsWrittenAsItsUserRecordsUnderTheirOwnKeys() throws Exception {
        AggRecord aggregate = new AggRecord();
        aggregate.addUserRecord("a", null, "a1".getBytes(StandardCharsets.UTF_8));
        aggregate.addUserRecord("b", "12345", "b1".getBytes(StandardCharsets.UTF_8));
        aggregate.addUserRecord("a", null, "a2".getBytes(StandardCharsets.UTF_8));

        List<SinkEntry> entries = converter.convertAll(ReplicatedRecord.of(record("a", aggregate.toRecordBytes())));

        assertThat(entries).extracting(SinkEntry::partitionKey).containsExactly("a", "b", "a");
        assertThat(entries)
                .extracting(e -> new String(e.data(), StandardCharsets.UTF_8))
                .containsExactly("a1", "b1", "a2");
        assertThat(entries.get(1).explicitHashKey()).isEqualTo("12345");
    }

    @Test
    void anInvalidAggregateIsWrittenByteIdentical() throws Exception {
        AggRecord aggregate = new AggRecord();
        aggregate.addUserRecord("a", null, "a1".getBytes(StandardCharsets.UTF_8));
        byte[] data = aggregate.toRecordBytes();
        data[data.length - 1] ^= 1;

        List<SinkEntry> entries = converter.convertAll(ReplicatedRecord.of(record("outer", data)));

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).partitionKey()).isEqualTo("outer");
        assertThat(entries.get(0).data()).isSameAs(data);
    }

    @Test
    void heartbeatsAndSkippedRecordsAreNotWritten() {
        assertThat(converter.convertAll(ReplicatedRecord.heartbeat(
                        new ShardStatus("arn:aws:kinesis:us-west-2:000000000000:stream/s", "shardId-0", "1", 0, false),
                        0)))
                .isEmpty();
        assertThat(converter.convertAll(ReplicatedRecord.skipped(record("k", new byte[] {1}))))
                .isEmpty();
    }

    private static KinesisRecord record(String key, byte[] data) {
        return new KinesisRecord(
                "arn:aws:kinesis:us-west-2:000000000000:stream/s",
                "shardId-000000000000",
                key,
                "49590338271490256608559692538361571095921575989136588898",
                0L,
                0L,
                data);
    }
}
