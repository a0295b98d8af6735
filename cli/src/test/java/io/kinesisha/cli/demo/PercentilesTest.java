package io.kinesisha.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {
    @Test
    void nearestRankReturnsMeasuredValues() {
        Percentiles p =
                Percentiles.of(LongStream.rangeClosed(1, 100).map(i -> 101 - i).toArray());
        assertThat(p.p50()).isEqualTo(50);
        assertThat(p.p99()).isEqualTo(99);
        assertThat(p.max()).isEqualTo(100);
        assertThat(Percentiles.of(List.of(7)).p99()).isEqualTo(7);
        assertThat(Percentiles.of(List.of(1, 2, 3, 1000)).p50()).isEqualTo(2);
        assertThat(Percentiles.of(List.<Long>of()).format(99, " ms")).isEqualTo("n/a");
        assertThat(Percentiles.of(5, 10).format(99, " ms")).isEqualTo("10 ms");
    }
}
