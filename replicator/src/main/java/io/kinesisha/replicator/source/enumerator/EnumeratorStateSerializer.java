package io.kinesisha.replicator.source.enumerator;

import io.kinesisha.replicator.source.split.ShardSplit;
import io.kinesisha.replicator.source.split.ShardSplitSerializer;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Versioned binary form of {@link EnumeratorState}. Version 2 records the split format of the splits it holds, so
 * the split format can change without a new enumerator-state version; version 1 (splits in split format 1) stays
 * readable.
 */
public final class EnumeratorStateSerializer implements SimpleVersionedSerializer<EnumeratorState> {
    private static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(EnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        out.writeInt(ShardSplitSerializer.VERSION);
        out.writeInt(state.unassigned().size());
        for (ShardSplit split : state.unassigned().values()) {
            ShardSplitSerializer.write(split, out);
        }
        writeIds(out, state.assigned());
        writeIds(out, state.finished());
        return out.getCopyOfBuffer();
    }

    @Override
    public EnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version < 1 || version > VERSION) {
            throw new IOException(
                    "unknown enumerator state version " + version + " (this jar reads 1 to " + VERSION + ")");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int splitVersion = version == 1 ? 1 : in.readInt();
        int count = in.readInt();
        Map<String, ShardSplit> unassigned = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            ShardSplit split = ShardSplitSerializer.read(splitVersion, in);
            unassigned.put(split.splitId(), split);
        }
        return new EnumeratorState(unassigned, readIds(in), readIds(in));
    }

    private static void writeIds(DataOutputView out, Set<String> ids) throws IOException {
        out.writeInt(ids.size());
        for (String id : ids) {
            out.writeUTF(id);
        }
    }

    private static Set<String> readIds(DataInputView in) throws IOException {
        int count = in.readInt();
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            ids.add(in.readUTF());
        }
        return ids;
    }
}
