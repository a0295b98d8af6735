package io.kinesisha.replicator.source.split;

import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Versioned binary form of {@link ShardSplit} for checkpoints and savepoints. Every version ever written stays
 * readable (a savepoint outlives the jar that wrote it); a test restores a fixture of each one.
 */
public final class ShardSplitSerializer implements SimpleVersionedSerializer<ShardSplit> {
    public static final ShardSplitSerializer INSTANCE = new ShardSplitSerializer();
    /** The version written now. Version 1: the fields as below, since the first release. */
    public static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(ShardSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public ShardSplit deserialize(int version, byte[] serialized) throws IOException {
        return read(version, new DataInputDeserializer(serialized));
    }

    /** Reads a split written in {@code version}. */
    public static ShardSplit read(int version, DataInputView in) throws IOException {
        if (version != 1) {
            throw new IOException(
                    "unknown ShardSplit serializer version " + version + " (this jar reads 1 to " + VERSION + ")");
        }
        return read(in);
    }

    public static void write(ShardSplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.streamArn());
        out.writeUTF(split.shardId());
        out.writeInt(split.parentShardIds().size());
        for (String parent : split.parentShardIds()) {
            out.writeUTF(parent);
        }
        out.writeUTF(split.startingHashKey().toString());
        out.writeUTF(split.endingHashKey().toString());
        writeNullable(out, split.consumerArn());
        ShardStartingPosition p = split.startingPosition();
        out.writeUTF(p.type().toString());
        writeNullable(out, p.sequenceNumber());
        out.writeLong(p.timestamp() == null ? Long.MIN_VALUE : p.timestamp().toEpochMilli());
        out.writeBoolean(split.finished());
    }

    private static ShardSplit read(DataInputView in) throws IOException {
        String streamArn = in.readUTF();
        String shardId = in.readUTF();
        int parents = in.readInt();
        List<String> parentIds = new ArrayList<>(parents);
        for (int i = 0; i < parents; i++) {
            parentIds.add(in.readUTF());
        }
        BigInteger start = new BigInteger(in.readUTF());
        BigInteger end = new BigInteger(in.readUTF());
        String consumerArn = readNullable(in);
        ShardIteratorType type = ShardIteratorType.fromValue(in.readUTF());
        String sequenceNumber = readNullable(in);
        long timestamp = in.readLong();
        boolean finished = in.readBoolean();
        return new ShardSplit(
                streamArn,
                shardId,
                parentIds,
                start,
                end,
                consumerArn,
                position(type, sequenceNumber, timestamp),
                finished);
    }

    private static ShardStartingPosition position(ShardIteratorType type, String sequenceNumber, long timestamp)
            throws IOException {
        switch (type) {
            case TRIM_HORIZON:
                return ShardStartingPosition.trimHorizon();
            case LATEST:
                return ShardStartingPosition.latest();
            case AT_TIMESTAMP:
                return ShardStartingPosition.atTimestamp(Instant.ofEpochMilli(timestamp));
            case AT_SEQUENCE_NUMBER:
                return ShardStartingPosition.atSequenceNumber(sequenceNumber);
            case AFTER_SEQUENCE_NUMBER:
                return ShardStartingPosition.afterSequenceNumber(sequenceNumber);
            default:
                throw new IOException("unknown starting position type " + type);
        }
    }

    private static void writeNullable(DataOutputView out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
