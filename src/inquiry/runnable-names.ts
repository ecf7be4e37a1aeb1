/**
 * File names that run something when double-clicked, or open something that
 * can: programs, scripts, installers, shortcuts, disk images, HTML, documents
 * that carry macros, and archives (whose insides we do not unpack).
 *
 * Sources: Microsoft's list of file types blocked in Outlook ("Blocked
 * attachments in Outlook", support.microsoft.com, article
 * 434752e1-02d3-4e90-9124-8b81e49a8519, and the default `BlockedFileTypes` of
 * Outlook on the web's mailbox policy), the Office file formats that can hold
 * VBA ("File formats that are supported in Word/Excel/PowerPoint", *m and
 * legacy binary formats), Apple's bundle and script kinds, and Linux desktop
 * entries.
 */
const words = (lines: string[]) => new Set(lines.join(" ").split(" "));

/**
 * Every extension Outlook blocks, as Microsoft lists them (lower case, without
 * the dot). All of them count as programs, in archives and in the name the
 * staff see, whether or not another list below names them too.
 */
const OUTLOOK_BLOCKED = words([
  "accda accdb accde accdr ade adp app appcontent-ms application appref-ms asp aspx asx",
  "bas bat bgi cab cdxml cer chm cmd cnt com cpl crt csh der deskthemepack diagcab exe",
  "fxp gadget grp hlp hpj hta htc inf ins iqy iso isp its jar jnlp js jse ksh library-ms lnk",
  "mad maf mag mam maq mar mas mat mau mav maw mcf mda mdb mde mdt mdw mdz msc msh msh1",
  "msh1xml msh2 msh2xml mshxml msi msix msixbundle msp mst msu one onepkg ops osd pcd pif",
  "pl plg prf prg printerexport ps1 ps1xml ps2 ps2xml psc1 psc2 psd1 psdm1 psm1 pssc pst",
  "py pyc pyo pyw pyz pyzw rdp reg scf scr sct search-ms searchconnector-ms",
  "settingcontent-ms shb shs slk theme themepack tmp udl url vb vbe vbp vbs vhd vhdx",
  "vsmacros vsw webpnp website ws wsb wsc wsf wsh xbap xll xnk",
]);

/** Programs, scripts, shortcuts and disk images: run (or mount) on a double-click. */
const PROGRAMS = words([
  ...OUTLOOK_BLOCKED,
  // Windows programs, installers and libraries
  "exe com scr pif cpl dll ocx sys drv msi msp mst msix msixbundle appx appxbundle",
  "appinstaller application appref-ms gadget xbap xll vxd",
  // Windows scripts and script hosts
  "bat cmd vb vbs vbe vbscript js jse wsf wsh wsc ws sct hta ps1 ps1xml ps2 ps2xml",
  "psc1 psc2 psd1 psm1 msh msh1 msh2 mshxml cdxml reg inf ins isp shb shs chm hlp msc",
  // Shortcuts and locations that point somewhere else
  "lnk url website scf library-ms searchconnector-ms settingcontent-ms diagcab",
  "webloc inetloc fileloc desktop",
  // Interpreted and cross-platform
  "jar jnlp py pyw pyc pyz pl rb php ahk au3 lua tcl",
  // macOS and Linux (a folder named X.app is a program)
  "app pkg mpkg command tool terminal workflow action prefpane saver scpt scptd",
  "applescript osax kext sh bash zsh csh ksh run appimage deb rpm snap flatpakref",
  // Mobile
  "apk xapk aab ipa",
  // Disk images: Windows mounts them on a double-click, without the download mark
  "iso img vhd vhdx dmg udf",
]);

/** Opened by a program that runs what they carry: scripts in pages, macros in documents. */
const CARRIERS = words([
  // Pages a browser opens with their scripts
  "htm html xht xhtml shtm shtml mht mhtml svg svgz",
  // Macro-enabled Office, legacy binary Office and RTF (embedded objects)
  "docm dotm xlsm xltm xlsb xlam xla xlm pptm potm ppam ppsm sldm",
  "doc dot xls xlt ppt pot pps wbk rtf",
  // OpenDocument: macros live inside, and a nested one is not opened here
  "odt ods odp odg odf odb ott ots otp fodt fods fodp sxw sxc sxi",
]);

/** Archives: what is inside a nested one would reach the staff unchecked. */
const ARCHIVES = words([
  "zip zipx 7z rar tar gz tgz bz2 tbz tbz2 xz txz lz lzma z zst cab arj lzh lha ace",
  "war ear cpio wim",
]);

export type Runnable = "program" | "carrier" | "archive";

/**
 * What a path (as an archive entry names it) would run or open, or null when
 * nothing: a program, a carrier of scripts or macros, or another archive. Read as Windows and unzip tools read it: `\` separates segments
 * too, a NUL ends the name (C string APIs), `:` starts an NTFS stream name,
 * trailing dots and spaces are dropped, and every segment counts (a folder
 * named `X.app` is a macOS program).
 */
export function runnableKind(path: string): Runnable | null {
  const cut = path.indexOf("\0");
  const segments = (cut === -1 ? path : path.slice(0, cut)).split(/[/\\]/);
  const last = segments.pop() ?? "";
  // A folder only runs as a bundle (macOS X.app, X.pkg), which PROGRAMS names.
  for (const folder of segments) {
    if (folder.split(":").some((part) => PROGRAMS.has(extensionOf(part)))) return "program";
  }
  let found: Runnable | null = null;
  for (const part of last.split(":")) {
    const ext = extensionOf(part);
    if (PROGRAMS.has(ext)) return "program";
    if (CARRIERS.has(ext)) found = "carrier";
    else if (ARCHIVES.has(ext)) found ??= "archive";
  }
  return found;
}

/** The lower-case extension after the last dot, once trailing dots and spaces are gone. */
export function extensionOf(name: string): string {
  let end = name.length;
  while (end > 0 && (name[end - 1] === "." || name[end - 1] === " ")) end--;
  const dot = name.lastIndexOf(".", end - 1);
  return dot === -1 ? "" : name.slice(dot + 1, end).toLowerCase();
}
