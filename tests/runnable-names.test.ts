import { describe, expect, it } from "vitest";
import { runnableKind } from "../src/inquiry/runnable-names.ts";

// How an archive entry's name is read before it reaches the staff's disk.
describe("runnableKind", () => {
  it.each([
    ["setup.exe", "program"],
    ["setup.EXE", "program"],
    ["setup.exe.", "program"],
    ["setup.exe .  ", "program"],
    ["setup.exe\0.txt", "program"],
    ["docs\\tools\\run.js", "program"],
    ["notes.txt:payload.exe", "program"],
    ["Viewer.app/Contents/Info.plist", "program"],
    [".lnk", "program"],
    ["invoice.url", "program"],
    // Every type on Outlook's blocked list, long and mixed-case ones too.
    ["f.searchConnector-ms", "program"],
    ["notes.ONE", "program"],
    ["sandbox.wsb", "program"],
    ["page.xht", "carrier"],
    ["offer.docm", "carrier"],
    ["page.html", "carrier"],
    ["pismo.odt", "carrier"],
    ["inner.zip", "archive"],
    ["backup.tar.gz", "archive"],
    ["old.zip/readme.txt", null],
    ["drawing.pdf", null],
    ["ohišje v3.step", null],
    ["README", null],
    // A folder counts as the program it is named for (bundles such as X.app run).
    ["setup.exe/", "program"],
  ] as const)("%j is %s", (name, kind) => {
    expect(runnableKind(name)).toBe(kind);
  });
});
