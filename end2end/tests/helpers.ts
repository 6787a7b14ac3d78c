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

/** Signs up, then confirms the address from the mail (as a person does), back on the home page. */
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
  await openMailedLink(page, `${handle}@example.net`, "Confirm your email address");
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page.getByTestId("email-confirmed")).toBeVisible();
  await page.goto("/");
  await hydrated(page);
}

type SesMail = { destination?: { to?: string[] }; subject?: string; body?: { text?: string }; at?: number };

/** Opens the link of the newest mail to `to` whose subject starts with `subject` (from the SES emulator). */
export async function openMailedLink(page: Page, to: string, subject: string) {
  const ses = process.env.SES_URL ?? "http://127.0.0.1:8005";
  let link = "";
  await expect
    .poll(
      async () => {
        const store = (await (await page.request.get(`${ses}/store`)).json()) as { emails?: SesMail[] };
        const mail = [...(store.emails ?? [])]
          .reverse()
          .find((m) => (m.destination?.to ?? []).some((a) => a.includes(to)) && (m.subject ?? "").startsWith(subject));
        link = mail?.body?.text?.match(/https?:\/\/\S+/)?.[0] ?? "";
        return link;
      },
      { timeout: 30_000 },
    )
    .not.toBe("");
  const url = new URL(link);
  await page.goto(url.pathname + url.search);
  await hydrated(page);
}

export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
