package io.kinesisha.replicator.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SinkEntryTest {
    @Test
    void sizeCountsTheKeyAsUtf8WithoutEncodingIt() {
        for (String key : List.of(
                "key-1",
                "ü-umlaut",
                "€uro",
                "日本語キー",
                "emoji \uD83D\uDE00 pair",
                "lone \uD83D high",
                "lone \uDE00 low",
                "end \uD83D",
                "\u007F\u0080\u07FF\u0800\uFFFF")) {
            SinkEntry entry = SinkEntry.of(key, new byte[7]);
            assertThat(entry.sizeInBytes()).as(key).isEqualTo(7 + key.getBytes(StandardCharsets.UTF_8).length);
        }
    }
}
