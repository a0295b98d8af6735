package io.kinesisha.replicator.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.kinesis.agg.AggRecord;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.kpl.Messages;

/**
 * The KPL format reader against aggregates written by a real aggregation library and read by KCL's own
 * de-aggregation; malformed aggregates are built with KCL's protobuf classes and must come out as plain records.
 */
class KplAggregateTest {
    private static final String MAX_HASH_KEY =
            BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE).toString();

    @Test
    void readsWhatTheAggregationLibraryWritesAsKclDoes() throws Exception {
        AggRecord aggregate = new AggRecord();
        for (int i = 0; i < 60; i++) {
            String key = "key-" + (i % 7);
            String ehk = i % 5 == 0 ? String.valueOf(1000L * i) : null;
            assertThat(aggregate.addUserRecord(key, ehk, ("record " + i).getBytes(StandardCharsets.UTF_8)))
                    .isTrue();
        }
        byte[] bytes = aggregate.toRecordBytes();

        List<UserRecord> ours = KplAggregate.decode(bytes);

        List<KinesisClientRecord> kcl = new AggregatorUtil()
                .deaggregate(List.of(KinesisClientRecord.builder()
                        .partitionKey(aggregate.getPartitionKey())
                        .sequenceNumber("1")
                        .data(ByteBuffer.wrap(bytes))
                        .build()));
        assertThat(KplAggregate.hasMagic(bytes)).isTrue();
        assertThat(ours).hasSize(60);
        assertThat(describe(ours))
                .isEqualTo(kcl.stream()
                        .map(r -> r.partitionKey() + "|" + r.explicitHashKey() + "|"
                                + StandardCharsets.UTF_8.decode(r.data()))
                        .collect(Collectors.toList()));
        assertThat(ours.get(5).explicitHashKey()).isEqualTo("5000");
        assertThat(new String(ours.get(59).data(), StandardCharsets.UTF_8)).isEqualTo("record 59");
        assertThat(ours.get(59).partitionKey()).isEqualTo("key-3");
    }

    @Test
    void explicitHashKeysComeFromTheTableWhenARecordHasAnIndexAndAreCanonical() throws Exception {
        Messages.AggregatedRecord message = Messages.AggregatedRecord.newBuilder()
                .addPartitionKeyTable("a")
                .addPartitionKeyTable("b")
                .addExplicitHashKeyTable("007")
                .addExplicitHashKeyTable(MAX_HASH_KEY)
                .addExplicitHashKeyTable("+1")
                .addRecords(record(0, null, "no index"))
                .addRecords(record(1, 0L, "leading zeros"))
                .addRecords(record(0, 1L, "largest hash key"))
                .addRecords(record(1, null, "no index again"))
                .addRecords(record(1, 2L, "plus sign"))
                .build();

        List<UserRecord> records = KplAggregate.decode(frame(message.toByteArray()));

        assertThat(describe(records))
                .containsExactly(
                        "a|null|no index",
                        "b|7|leading zeros",
                        "a|" + MAX_HASH_KEY + "|largest hash key",
                        "b|null|no index again",
                        "b|1|plus sign");
    }

    @Test
    void tagsAndUnknownFieldsAreSkipped() throws Exception {
        Messages.AggregatedRecord message = Messages.AggregatedRecord.newBuilder()
                .addPartitionKeyTable("a")
                .addRecords(record(0, null, "tagged").toBuilder()
                        .addTags(Messages.Tag.newBuilder().setKey("colour").setValue("blue")))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(
                                9,
                                UnknownFieldSet.Field.newBuilder().addVarint(42).build())
                        .build())
                .build();

        assertThat(describe(KplAggregate.decode(frame(message.toByteArray())))).containsExactly("a|null|tagged");
    }

    @Test
    void aWrongDigestMakesAPlainRecord() throws Exception {
        byte[] valid = frame(twoRecords().toByteArray());
        byte[] badTrailer = valid.clone();
        badTrailer[badTrailer.length - 1] ^= 1;
        byte[] badBody = valid.clone();
        badBody[KplAggregate.MAGIC.length + 3] ^= 1;

        assertThat(KplAggregate.decode(valid)).hasSize(2);
        assertThat(KplAggregate.decode(badTrailer)).isNull();
        assertThat(KplAggregate.decode(badBody)).isNull();
    }

    @Test
    void everyTruncationMakesAPlainRecord() throws Exception {
        byte[] valid = frame(twoRecords().toByteArray());
        for (int length = 0; length < valid.length; length++) {
            assertThat(KplAggregate.decode(Arrays.copyOf(valid, length)))
                    .as("first %d bytes", length)
                    .isNull();
        }
        // a protobuf cut inside its last record, with a digest that matches the cut bytes
        byte[] body = twoRecords().toByteArray();
        assertThat(KplAggregate.decode(frame(Arrays.copyOf(body, body.length - 2))))
                .isNull();
    }

    @Test
    void shortOrUnmarkedDataIsPlain() throws Exception {
        byte[] magicOnly = KplAggregate.MAGIC.clone();
        byte[] magicAndDigestOfNothing = concat(KplAggregate.MAGIC, md5(new byte[0]));
        byte[] unmarked = frame(twoRecords().toByteArray());
        unmarked[0] = 0x0A;

        assertThat(KplAggregate.hasMagic(new byte[0])).isFalse();
        assertThat(KplAggregate.hasMagic(new byte[] {(byte) 0xF3, (byte) 0x89, (byte) 0x9A}))
                .isFalse();
        assertThat(KplAggregate.decode(magicOnly)).isNull();
        assertThat(KplAggregate.decode(magicAndDigestOfNothing)).isNull();
        assertThat(KplAggregate.hasMagic(unmarked)).isFalse();
        assertThat(KplAggregate.decode(unmarked)).isNull();
        assertThat(KplAggregate.decode("key-1:17".getBytes(StandardCharsets.UTF_8)))
                .isNull();
    }

    @Test
    void anAggregateWithARecordPutRecordsWouldRejectOrKclCouldNotReadIsPlain() throws Exception {
        assertThat(decode(builder("a").addRecords(record(1, null, "key index out of range"))))
                .isNull();
        assertThat(decode(
                        builder("a").addExplicitHashKeyTable("5").addRecords(record(0, 1L, "ehk index out of range"))))
                .isNull();
        assertThat(decode(builder("a").addRecords(record(-1, null, "index 2^64-1"))))
                .isNull();
        assertThat(decode(builder("").addRecords(record(0, null, "empty key")))).isNull();
        assertThat(decode(builder("k".repeat(257)).addRecords(record(0, null, "key too long"))))
                .isNull();
        assertThat(decode(builder("k".repeat(256)).addRecords(record(0, null, "longest key"))))
                .hasSize(1);
        for (String ehk : List.of(
                "abc",
                "-1",
                "1e5",
                "",
                new BigInteger(MAX_HASH_KEY).add(BigInteger.ONE).toString())) {
            assertThat(decode(builder("a").addExplicitHashKeyTable(ehk).addRecords(record(0, 0L, "bad ehk"))))
                    .as(ehk)
                    .isNull();
        }
        // an invalid explicit hash key no record refers to does not matter
        assertThat(decode(builder("a").addExplicitHashKeyTable("abc").addRecords(record(0, null, "fine"))))
                .hasSize(1);
        assertThat(decode(builder("a"))).as("no user records").isNull();
        Messages.Record withoutData =
                Messages.Record.newBuilder().setPartitionKeyIndex(0).buildPartial();
        assertThat(decode(builder("a").addRecords(withoutData)))
                .as("required data missing")
                .isNull();
    }

    private static List<UserRecord> decode(Messages.AggregatedRecord.Builder message) throws Exception {
        return KplAggregate.decode(frame(message.buildPartial().toByteArray()));
    }

    private static Messages.AggregatedRecord.Builder builder(String partitionKey) {
        return Messages.AggregatedRecord.newBuilder().addPartitionKeyTable(partitionKey);
    }

    private static Messages.AggregatedRecord twoRecords() {
        return builder("a")
                .addPartitionKeyTable("b")
                .addRecords(record(0, null, "first record"))
                .addRecords(record(1, null, "second record"))
                .build();
    }

    private static Messages.Record record(long keyIndex, Long ehkIndex, String data) {
        Messages.Record.Builder b =
                Messages.Record.newBuilder().setPartitionKeyIndex(keyIndex).setData(ByteString.copyFromUtf8(data));
        if (ehkIndex != null) {
            b.setExplicitHashKeyIndex(ehkIndex);
        }
        return b.build();
    }

    /** Magic, protobuf, MD5 of the protobuf: the KPL framing. */
    private static byte[] frame(byte[] protobuf) throws Exception {
        return concat(concat(KplAggregate.MAGIC, protobuf), md5(protobuf));
    }

    private static byte[] md5(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("MD5").digest(bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static List<String> describe(List<UserRecord> records) {
        List<String> out = new ArrayList<>();
        for (UserRecord r : records) {
            out.add(r.partitionKey() + "|" + r.explicitHashKey() + "|" + new String(r.data(), StandardCharsets.UTF_8));
        }
        return out;
    }
}
