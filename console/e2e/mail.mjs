// A customer's email for the e2e run, and the smallest SMTP client to hand it to the local
// runtime's listener (`BORDERDESK_SMTP_ADDR`): RFC 5321's EHLO, MAIL FROM, RCPT TO, DATA, QUIT
// over a plain TCP socket, as a mail client talks to a submission server without TLS.
import { deflateSync } from "node:zlib";
import { connect } from "node:net";

const CRLF = "\r\n";

/** b64lines is base64 cut into lines of 76, as RFC 2045 wants it. */
function b64lines(buf) {
  return (Buffer.isBuffer(buf) ? buf : Buffer.from(buf, "utf8")).toString("base64").replace(/.{1,76}/g, "$&\r\n");
}

/** encodedWord is an RFC 2047 header word for text that is not ASCII. */
function encodedWord(s) {
  return /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s, "utf8").toString("base64")}?=`;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * png is a real PNG (w×h RGB, a gradient seeded by `seed`), so the attachment is a file a
 * viewer opens rather than bytes that only claim to be an image.
 */
export function png(w, h, seed = 0) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (x * 7 + seed) & 0xff;
      raw[o + 1] = (y * 5 + seed * 3) & 0xff;
      raw[o + 2] = (x ^ y ^ seed) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/**
 * customerMail renders a mail as Thunderbird would: multipart/mixed around a
 * multipart/alternative (text and HTML, UTF-8, base64) and each file base64-encoded.
 */
export function customerMail({ from, to, subject, messageId, date = new Date(), text, html, files = [] }) {
  const mixed = `mixed-${messageId.replace(/\W/g, "")}`;
  const alt = `alt-${messageId.replace(/\W/g, "")}`;
  const lines = [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${encodedWord(subject)}`,
    `Date: ${date.toUTCString().replace("GMT", "+0000")}`,
    `Message-ID: ${messageId}`,
    "MIME-Version: 1.0",
    "User-Agent: borderdesk-e2e",
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    "",
    "This is a multi-part message in MIME format.",
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    "",
    `--${alt}`,
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: base64",
    "",
    b64lines(text.replace(/\r?\n/g, CRLF)),
  ];
  if (html) lines.push(`--${alt}`, "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64", "", b64lines(html));
  lines.push(`--${alt}--`, "");
  for (const f of files) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${f.contentType}; name="${f.name}"`,
      `Content-Disposition: attachment; filename="${f.name}"`,
      "Content-Transfer-Encoding: base64",
      "",
      b64lines(f.data),
    );
  }
  lines.push(`--${mixed}--`, "");
  return lines.join(CRLF);
}

/**
 * sendMail hands one mail to an SMTP server and resolves when it answered 250 to the DATA;
 * any other answer rejects with the server's line.
 */
export function sendMail({ host, port, from, to, data, helo = "e2e.borderdesk.test" }) {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port });
    sock.setEncoding("utf8");
    sock.setTimeout(20_000, () => sock.destroy(new Error("SMTP server did not answer within 20 s")));
    let buf = "";
    const waiting = [];
    sock.on("data", (d) => {
      buf += d;
      // A reply is one or more lines "250-…" ending with "250 …" (RFC 5321 4.2.1).
      for (;;) {
        const m = buf.match(/^(?:\d{3}-[^\r\n]*\r\n)*(\d{3})(?: [^\r\n]*)?\r\n/);
        if (!m) break;
        buf = buf.slice(m[0].length);
        waiting.shift()?.({ code: Number(m[1]), text: m[0].trim() });
      }
    });
    sock.on("error", reject);
    // A server that hangs up mid-conversation fails the send (a no-op once it has resolved).
    sock.on("close", () => reject(new Error("SMTP server closed the connection")));
    const reply = () => new Promise((r) => waiting.push(r));
    const step = async (line, want) => {
      if (line !== null) sock.write(line + CRLF);
      const r = await reply();
      if (r.code !== want) throw new Error(`SMTP ${line ?? "greeting"} answered ${r.text}; want ${want}`);
      return r;
    };
    (async () => {
      await step(null, 220);
      await step(`EHLO ${helo}`, 250);
      await step(`MAIL FROM:<${from}>`, 250);
      await step(`RCPT TO:<${to}>`, 250);
      await step("DATA", 354);
      // Dot-stuffing: a line that starts with "." gets another (RFC 5321 4.5.2).
      const body = data.replace(/\r?\n/g, CRLF).replace(/^\./gm, "..");
      await step(body + (body.endsWith(CRLF) ? "" : CRLF) + ".", 250);
      await step("QUIT", 221);
      sock.end();
    })().then(resolve, (e) => {
      sock.destroy();
      reject(e);
    });
  });
}
