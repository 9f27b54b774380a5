import { describe, expect, it } from "vitest";
import { sessionFromToken } from "./session";

const jwt = (claims: object) => `h.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.s`;

describe("sessionFromToken", () => {
  it("reads who the agent is from sub, and the email only to show", () => {
    const s = sessionFromToken(jwt({ sub: "7d0c-anna", email: "anna@demo.test", "custom:merchant_id": "demo", exp: 2_000_000_000 }));
    expect(s).toEqual({ token: s.token, sub: "7d0c-anna", email: "anna@demo.test", merchantId: "demo", expiresAt: 2_000_000_000_000 });
  });

  it("leaves out what the token does not say", () => {
    expect(sessionFromToken("not-a-jwt")).toEqual({ token: "not-a-jwt" });
  });
});
