import { expect, Page } from "@playwright/test";

/** Waits until the WebAssembly has hydrated the page (set by `hydrate()` in src/lib.rs). */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated]", { timeout: 60_000 });
}

/** A handle nobody else in this run has (3–20 chars, starts with a letter). */
export function uniqueHandle(prefix = "u"): string {
  const n = Date.now().toString(36) + Math.floor(Math.random() * 46656).toString(36);
  return (prefix + n).slice(0, 20);
}

export const PASSWORD = "e2e-correct-horse-7";
export const DEMO_PASSWORD = "minijira-demo";

export async function signUp(page: Page, handle: string, name: string, kind = "member") {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(`${handle}@example.net`);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill(name);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.locator(`input[name=kind][value=${kind}]`).check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("nav-user")).toHaveText(name);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
