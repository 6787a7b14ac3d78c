import { Browser, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, signUp } from "./helpers";

async function person(browser: Browser, prefix: string, name: string): Promise<{ page: Page; handle: string }> {
  const page = await (await browser.newContext()).newPage();
  const handle = uniqueHandle(prefix);
  await signUp(page, handle, name);
  return { page, handle };
}

test("A writes to B, B sees it unread and replies, A sees the reply live", async ({ browser }) => {
  test.setTimeout(90_000);
  const a = await person(browser, "wa", "Ada Writer");
  const b = await person(browser, "wb", "Bo Reader");

  // B waits on the conversation list.
  await b.page.goto("/messages");
  await hydrated(b.page);

  // A starts the conversation from B's profile.
  await a.page.goto(`/u/${b.handle}`);
  await a.page.getByTestId("message-button").click();
  await expect(a.page).toHaveURL(/\/messages\/new\?to=/);
  await hydrated(a.page);
  await expect(a.page.getByLabel("To (handle)")).toHaveValue(b.handle);
  await a.page.getByLabel("Message").fill("Hi Bo, got a minute?");
  await a.page.getByRole("button", { name: "Send" }).click();
  await expect(a.page).toHaveURL(/\/messages\/[0-9A-Z]+-[0-9A-Z]+$/);
  await expect(a.page.getByTestId("thread")).toContainText("Hi Bo, got a minute?");
  await hydrated(a.page);

  // B's list shows it with an unread badge, without reload; so does B's navigation.
  const row = b.page.getByTestId("conversation").filter({ hasText: "Ada Writer" });
  await expect(row).toContainText("Hi Bo, got a minute?");
  await expect(row.getByTestId("unread")).toHaveText("1");
  await expect(b.page.getByTestId("nav-unread")).toHaveText("1");

  // B opens it (that marks it read) and replies.
  await row.click();
  await expect(b.page.getByTestId("thread")).toContainText("Hi Bo, got a minute?");
  await hydrated(b.page);
  await expect(b.page.getByTestId("nav-unread")).toHaveCount(0);
  await b.page.getByPlaceholder("Write a message").fill("Sure, what's up?");
  const sent = Date.now();
  await b.page.getByRole("button", { name: "Send" }).click();
  await expect(b.page.getByTestId("thread")).toContainText("Sure, what's up?");
  const stored = Date.now();

  // A sees the reply appear without reloading.
  await expect(a.page.getByTestId("thread")).toContainText("Sure, what's up?", { timeout: 5_000 });
  const seen = Date.now();
  console.log(`live update delay: ${seen - stored} ms after B's send returned, ${seen - sent} ms after B clicked Send`);
  expect(seen - sent).toBeLessThan(5_000);

  // Starting again reuses the same conversation.
  await a.page.goto(`/messages/new?to=${b.handle}`);
  await hydrated(a.page);
  const url = a.page.url();
  await a.page.getByLabel("Message").fill("Same thread?");
  await a.page.getByRole("button", { name: "Send" }).click();
  await expect(a.page.getByTestId("thread")).toContainText("Sure, what's up?");
  await expect(a.page.getByTestId("thread")).toContainText("Same thread?");
  expect(url).not.toEqual(a.page.url());
});

test("a long conversation pages back to its beginning", async ({ page }) => {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Email").fill("bob@example.com");
  await page.getByLabel("Password").fill("minijira-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("nav-user")).toHaveText("Bob Okafor");
  await page.goto("/messages");
  await page.getByTestId("conversation").filter({ hasText: "Alice Martin" }).click();
  await expect(page.getByTestId("thread")).toContainText("Draft is up");
  await expect(page.getByTestId("message")).toHaveCount(30);
  await page.getByTestId("load-older").click();
  await expect(page.getByTestId("thread")).toContainText("(1)");
  await expect(page.getByTestId("message")).toHaveCount(15);
  await expect(page.getByTestId("load-older")).toHaveCount(0);
});

// Issue #11, item 5: live conversation never skips a message. Both people send within the same
// moment, twenty times; every message shows on both open pages, in order, without reload.
test("both sending at once: every message appears on both open pages, in order", async ({ browser }) => {
  test.setTimeout(180_000);
  const a = await person(browser, "sa", "Sam Alpha");
  const b = await person(browser, "sb", "Sol Beta");
  await a.page.goto(`/messages/new?to=${b.handle}`);
  await hydrated(a.page);
  await a.page.getByLabel("Message").fill("start");
  await a.page.getByRole("button", { name: "Send" }).click();
  await expect(a.page).toHaveURL(/\/messages\/[0-9A-Z]+-[0-9A-Z]+$/);
  const url = a.page.url();
  await b.page.goto(url);
  await expect(b.page.getByTestId("thread")).toContainText("start");
  await hydrated(a.page);
  await hydrated(b.page);

  const send = async (p: Page, text: string) => {
    await p.getByPlaceholder("Write a message").fill(text);
    await p.getByRole("button", { name: "Send" }).click();
  };
  const expected: string[] = ["start"];
  for (let i = 1; i <= 20; i++) {
    await Promise.all([send(a.page, `a${i}`), send(b.page, `b${i}`)]);
    expected.push(`a${i}`, `b${i}`);
    // Both new messages on both pages before the next round.
    for (const p of [a.page, b.page]) {
      for (const text of [`a${i}`, `b${i}`]) {
        const shown = p.locator('[data-testid="message"] .body').filter({ hasText: new RegExp(`^${text}$`) });
        await expect(shown).toHaveCount(1, { timeout: 5_000 });
      }
    }
  }
  // The same order on both pages, and the same as after a reload.
  const bodies = (p: Page) => p.getByTestId("message").locator(".body").allTextContents();
  const [onA, onB] = [await bodies(a.page), await bodies(b.page)];
  expect(onA).toEqual(onB);
  expect([...onA].sort()).toEqual([...expected].sort());
  // A reload shows the newest page (30 messages) in that same order.
  await a.page.reload();
  await expect(a.page.getByTestId("thread")).toContainText("b20");
  expect(await bodies(a.page)).toEqual(onA.slice(-30));
});
