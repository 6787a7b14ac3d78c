import { Browser, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, signUp, signIn, PASSWORD, DEMO_PASSWORD } from "./helpers";

async function person(browser: Browser, prefix: string, name: string, kind: string): Promise<{ page: Page; handle: string }> {
  const page = await (await browser.newContext()).newPage();
  const handle = uniqueHandle(prefix);
  await signUp(page, handle, name, kind);
  return { page, handle };
}

function local(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

test("post, apply, book, decline, review, and an admin deactivation", async ({ browser }) => {
  test.setTimeout(120_000);
  const parent = await person(browser, "sp", "Pia Parent", "parent");
  const n1 = await person(browser, "sn", "Nora Nanny", "nanny");
  const n2 = await person(browser, "so", "Olga Nanny", "nanny");

  // The parent posts a job that took place yesterday (so it can be reviewed at once).
  await parent.page.goto("/sitters");
  await parent.page.getByTestId("post-job").click();
  await expect(parent.page).toHaveURL(/\/sitters\/jobs\/new$/);
  await hydrated(parent.page);
  const start = new Date(Date.now() - 30 * 3600 * 1000);
  const end = new Date(start.getTime() + 4 * 3600 * 1000);
  await parent.page.getByLabel("Type of job").fill("Birthday party helper");
  await parent.page.getByLabel(/^Starts/).fill(local(start));
  await parent.page.getByLabel(/^Ends/).fill(local(end));
  await parent.page.getByLabel("City").fill("Nantes");
  await parent.page.getByLabel("Number of kids").fill("3");
  await parent.page.getByLabel("Pay (total)").fill("80");
  await parent.page.getByRole("button", { name: "Post the job" }).click();
  await expect(parent.page).toHaveURL(/\/sitters\/jobs\/[0-9A-Z]{26}$/);
  await expect(parent.page.getByTestId("job-title")).toHaveText("Birthday party helper");
  const jobUrl = new URL(parent.page.url()).pathname;

  // Two nannies apply; a second attempt is not offered.
  for (const n of [n1, n2]) {
    await n.page.goto("/sitters/jobs?city=nantes");
    await n.page.getByTestId("job").filter({ hasText: "Birthday party helper" }).getByRole("link").first().click();
    await expect(n.page).toHaveURL(new RegExp(`${jobUrl}$`));
    await hydrated(n.page);
    await n.page.getByLabel("A note for the parent").fill("I can help!");
    await n.page.getByTestId("apply").click();
    await expect(n.page.getByTestId("my-status")).toHaveText("pending");
    await expect(n.page.getByTestId("apply")).toHaveCount(0);
  }

  // The parent books the first.
  await parent.page.reload();
  await hydrated(parent.page);
  await expect(parent.page.getByTestId("application")).toHaveCount(2);
  await parent.page.getByTestId("application").filter({ hasText: "Nora Nanny" }).getByTestId("book").click();
  await expect(parent.page.getByTestId("job-status")).toHaveText("booked");

  // The other sees "declined".
  await n2.page.goto("/sitters");
  await expect(n2.page.getByTestId("my-applications")).toContainText("Birthday party helper");
  await expect(n2.page.getByTestId("application-status")).toHaveText("declined");

  // Both sides review.
  await parent.page.reload();
  await hydrated(parent.page);
  await parent.page.getByLabel("4★").check();
  await parent.page.getByLabel("Punctual").check();
  await parent.page.getByLabel("A few words").fill("Great with the kids.");
  await parent.page.getByTestId("submit-review").click();
  await expect(parent.page.getByTestId("reviewed")).toBeVisible();

  await n1.page.goto(jobUrl);
  await hydrated(n1.page);
  await expect(n1.page.getByTestId("my-status")).toHaveText("accepted");
  await n1.page.getByLabel("5★").check();
  await n1.page.getByTestId("submit-review").click();
  await expect(n1.page.getByTestId("reviewed")).toBeVisible();

  // The nanny's profile shows the rating and the review.
  await parent.page.goto(`/u/${n1.handle}`);
  await expect(parent.page.getByTestId("rating")).toHaveText("4.0 / 5 (1 review)");
  await expect(parent.page.getByTestId("reviews")).toContainText("Great with the kids.");
  await expect(parent.page.getByTestId("private")).toHaveCount(0);

  // An admin deactivates the second nanny, who can then no longer sign in.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "admin@example.com", DEMO_PASSWORD);
  await expect(admin.getByTestId("nav-admin")).toBeVisible();
  await admin.goto("/admin?status=UNVERIFIED");
  await hydrated(admin);
  const row = admin.locator(`[data-testid=account][data-handle=${n2.handle}]`);
  await row.getByTestId("set-deactivated").click();
  await expect(row).toHaveCount(0);
  await admin.goto("/admin?status=DEACTIVATED");
  await expect(admin.locator(`[data-testid=account][data-handle=${n2.handle}]`)).toHaveCount(1);

  const again = await (await browser.newContext()).newPage();
  await signIn(again, `${n2.handle}@example.net`, PASSWORD);
  await expect(again.getByTestId("form-error")).toHaveText("This account has been deactivated. Contact an administrator.");
});

// Issue #11, item 11: times in the viewer's time zone. A parent in Tokyo (UTC+09:00) posts a
// job for 18:00–21:00 her time: it is stored as 09:00–12:00 UTC, shown as 18:00–21:00 to her
// once hydrated, as 11:00–14:00 to a reader in Paris (UTC+02:00 in May), and as "09:00 UTC"
// without JavaScript.
test("job times are entered and shown in the viewer's time zone", async ({ browser }) => {
  test.setTimeout(90_000);
  const tokyo = await (await browser.newContext({ timezoneId: "Asia/Tokyo" })).newPage();
  await signIn(tokyo, "paula@example.com", DEMO_PASSWORD);
  await expect(tokyo).not.toHaveURL(/signin/);
  await tokyo.goto("/sitters/jobs/new");
  await hydrated(tokyo);
  await expect(tokyo.getByTestId("zone")).toHaveText("your time, UTC+09:00");
  await tokyo.getByLabel("Type of job").fill("Tokyo evening");
  await tokyo.getByLabel(/^Starts/).fill("2031-05-01T18:00");
  await tokyo.getByLabel(/^Ends/).fill("2031-05-01T21:00");
  await tokyo.getByLabel("City").fill("Paris");
  await tokyo.getByLabel("Number of kids").fill("1");
  await tokyo.getByLabel("Pay (total)").fill("50");
  await tokyo.getByRole("button", { name: "Post the job" }).click();
  await expect(tokyo).toHaveURL(/\/sitters\/jobs\/[0-9A-Z]{26}$/);
  const url = new URL(tokyo.url()).pathname;
  await hydrated(tokyo);
  await expect(tokyo.getByTestId("job-when")).toHaveText("Thu May 1, 18:00 → 21:00");

  const paris = await (await browser.newContext({ timezoneId: "Europe/Paris" })).newPage();
  await signIn(paris, "nina@example.com", DEMO_PASSWORD);
  await expect(paris).not.toHaveURL(/signin/);
  await paris.goto(url);
  await hydrated(paris);
  await expect(paris.getByTestId("job-when")).toHaveText("Thu May 1, 11:00 → 14:00");

  const plain = await (await browser.newContext({ javaScriptEnabled: false, timezoneId: "Asia/Tokyo" })).newPage();
  await plain.goto("/signin");
  await plain.getByLabel("Email").fill("nina@example.com");
  await plain.getByLabel("Password").fill(DEMO_PASSWORD);
  await plain.getByRole("button", { name: "Sign in" }).click();
  await expect(plain).not.toHaveURL(/signin/);
  await plain.goto(url);
  await expect(plain.getByTestId("job-when")).toHaveText("Thu May 1, 09:00 UTC → 12:00 UTC");
});
