import { describe, expect, it } from "vitest";
import { loadConfig, parseConfig, type CognitoConfig } from "./config";
import { jsonResponse } from "./test/fixtures";

const cfg: CognitoConfig = {
  authority: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Abc123",
  clientId: "client123",
  domain: "https://borderdesk-test.auth.eu-central-1.amazoncognito.com",
  redirectUri: "https://d111.cloudfront.net/",
  logoutUri: "https://d111.cloudfront.net/",
  scope: "openid email profile",
};

describe("parseConfig", () => {
  const cloud = {
    mode: "cognito",
    apiBaseUrl: "https://api.example.com/",
    cognito: {
      authority: cfg.authority,
      clientId: cfg.clientId,
      domain: cfg.domain + "/",
      redirectUri: cfg.redirectUri,
      logoutUri: cfg.logoutUri,
    },
  };

  it("reads the file the CDK stack deploys", () => {
    expect(parseConfig(cloud)).toEqual({
      apiBase: "https://api.example.com",
      auth: { mode: "cognito", ...cfg },
    });
  });

  it("is local mode without a mode, keeping the same origin", () => {
    expect(parseConfig({}, { apiBase: "", auth: { mode: "local" } })).toEqual({ apiBase: "", auth: { mode: "local" } });
    expect(parseConfig({ mode: "local" }, { apiBase: "", auth: { mode: "local" } }).apiBase).toBe("");
  });

  it.each([
    ["not an object", [], /not a JSON object/],
    ["an unknown mode", { mode: "saml" }, /unknown mode "saml"/],
    ["no cognito settings", { mode: "cognito", apiBaseUrl: "https://api.example.com" }, /cognito settings are missing/],
    ["no client id", { ...cloud, cognito: { ...cloud.cognito, clientId: "" } }, /clientId is missing/],
    ["no API base URL", { ...cloud, apiBaseUrl: undefined }, /apiBaseUrl is missing/],
    ["an http authority", { ...cloud, cognito: { ...cloud.cognito, authority: "http://cognito.example.com/x" } }, /authority must be an https URL/],
    ["a relative redirect", { ...cloud, cognito: { ...cloud.cognito, redirectUri: "/" } }, /redirectUri is not a URL/],
  ])("refuses %s", (_name, raw, want) => {
    expect(() => parseConfig(raw)).toThrow(want);
  });
});

describe("loadConfig", () => {
  const answer = (res: Response) => (async () => res) as unknown as typeof fetch;

  it("is local mode when there is no file (the SPA fallback answers HTML)", async () => {
    const got = await loadConfig(answer(new Response("<!doctype html>", { headers: { "Content-Type": "text/html" } })));
    expect(got.auth).toEqual({ mode: "local" });
  });

  it("is local mode when the fetch fails", async () => {
    const got = await loadConfig((async () => {
      throw new TypeError("offline");
    }) as unknown as typeof fetch);
    expect(got.auth).toEqual({ mode: "local" });
  });

  it("reads a cloud file", async () => {
    const got = await loadConfig(
      answer(
        jsonResponse(200, {
          mode: "cognito",
          apiBaseUrl: "https://api.example.com",
          cognito: { authority: cfg.authority, clientId: cfg.clientId, domain: cfg.domain, redirectUri: cfg.redirectUri, logoutUri: cfg.logoutUri },
        }),
      ),
    );
    expect(got).toEqual({ apiBase: "https://api.example.com", auth: { mode: "cognito", ...cfg } });
  });

  it("does not fall back to local mode for a broken file", async () => {
    const broken = await loadConfig(answer(new Response("{nope", { headers: { "Content-Type": "application/json" } })));
    expect(broken.auth).toEqual({ mode: "invalid", problem: "config.json is not valid JSON" });
    const wrong = await loadConfig(answer(jsonResponse(200, { mode: "cognito", apiBaseUrl: "https://api.example.com" })));
    expect(wrong.auth).toEqual({ mode: "invalid", problem: "cognito settings are missing" });
  });
});
