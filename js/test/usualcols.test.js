import { describe, expect, it } from "vitest";
import { USUAL_COLUMNS, buffersDropped, expandColumns } from "../src/lib/wire.js";

describe("expandColumns", () => {
  it("puts a kind's usual columns back in place of '*'", () => {
    const h = expandColumns({ kind: "bars", n: 1, cols: ["*", "studies"] });
    expect(h.cols).toEqual([...USUAL_COLUMNS.bars, "studies"]);
    // a dropped-buffers check then counts every column
    expect(buffersDropped(h, [])).toBe(true);
  });
  it("leaves other headers alone", () => {
    expect(expandColumns({ kind: "quotes", cols: ["last"] }).cols).toEqual(["last"]);
    expect(expandColumns({ kind: "bars", cols: ["t"] }).cols).toEqual(["t"]);
  });
});
