import { beforeEach, expect, it } from "vitest";
import { installFakes, storedRow, submit, validFields } from "./helpers.ts";

beforeEach(() => {
  installFakes();
});

it("stores a JSON inquiry", async () => {
  const res = await submit(validFields(), { encoding: "json" });
  const body = (await res.json()) as { ok: boolean; id: string };
  expect(res.status).toBe(201);
  expect(await storedRow(body.id)).not.toBeNull();
});
