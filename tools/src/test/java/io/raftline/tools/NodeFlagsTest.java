package io.raftline.tools;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NodeFlagsTest
{
    @Test
    void aNodeGetsAFixedHeapAndNoTrapsOnRareBranchesUnlessTheUserChoseOtherwise()
    {
        assertEquals(List.of("-Xms1g", "-Xmx1g", "-Xmn768m", "-Dx=1", "-XX:PerMethodTrapLimit=0"),
            NodeProcesses.nodeFlags(List.of("-Dx=1"), List.of("--add-opens=java.base/java.lang.reflect=ALL-UNNAMED")));
        assertEquals(List.of("-XX:PerMethodTrapLimit=0"), NodeProcesses.nodeFlags(List.of(), List.of("-Xmx4g")));
        assertEquals(List.of("-Xms1g", "-Xmx1g", "-Xmn768m"),
            NodeProcesses.nodeFlags(List.of(), List.of("-XX:PerMethodTrapLimit=100")));
        assertEquals(List.of("-Xmx2g", "-XX:PerMethodTrapLimit=100"),
            NodeProcesses.nodeFlags(List.of("-Xmx2g", "-XX:PerMethodTrapLimit=100"), List.of()),
            "flags given for the node itself win too");
    }
}
