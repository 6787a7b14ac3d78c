import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, signUp } from "./helpers";

const payloads = [
  `<script>alert("xss-script")</script>`,
  `"><img src=x onerror=alert("xss-img")>`,
  `<svg onload=alert("xss-svg")>`,
  `javascript:alert("xss-js")`,
];

test("user text with script and attribute payloads renders inert everywhere", async ({ page, browser }) => {
  test.setTimeout(120_000);
  const dialogs: string[] = [];
  const watch = (p: import("@playwright/test").Page) => p.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  watch(page);

  const evil = payloads[1];
  const handle = uniqueHandle("x");
  await signUp(page, handle, evil.slice(0, 60));

  // A project, a story, a task and a comment, each carrying a payload.
  const key = ("X" + Math.random().toString(36).slice(2, 8)).toUpperCase().replace(/[^A-Z0-9]/g, "Q");
  await page.goto("/projects/new");
  await hydrated(page);
  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Name").fill(payloads[0]);
  await page.getByLabel("Description").fill(payloads.join(" "));
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page).toHaveURL(new RegExp(`/p/${key}$`));
  await hydrated(page);
  const storyForm = page.locator("form", { has: page.getByRole("button", { name: "Add story" }) });
  await storyForm.getByLabel("Title").fill(payloads[2]);
  await storyForm.getByRole("button", { name: "Add story" }).click();
  await expect(page.getByTestId("story").first()).toContainText(payloads[2]);
  const taskForm = page.locator("form", { has: page.getByRole("button", { name: "Add task" }) });
  await taskForm.getByLabel("Title").fill(payloads[1]);
  await taskForm.getByLabel("Description").fill(payloads[3]);
  await taskForm.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByTestId("task-row").first()).toContainText(payloads[1]);
  await page.goto(`/p/${key}/${key}-1`);
  await hydrated(page);
  await page.getByLabel("Add a comment").fill(payloads.join("\n"));
  await page.getByRole("button", { name: "Comment" }).click();
  await expect(page.getByTestId("comments")).toContainText(payloads[0]);

  // A message to someone else, carrying every payload.
  const other = await (await browser.newContext()).newPage();
  watch(other);
  const otherHandle = uniqueHandle("y");
  await signUp(other, otherHandle, "Plain Name");
  await page.goto(`/messages/new?to=${otherHandle}`);
  await hydrated(page);
  await page.getByLabel("Message").fill(payloads.join(" "));
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByTestId("thread")).toContainText(payloads[0]);

  // Every page that shows them, server-rendered and hydrated, for both people.
  for (const path of ["/", `/p/${key}`, `/p/${key}/board`, `/p/${key}/members`, `/p/${key}/${key}-1`, "/messages", `/u/${handle}`, `/people?q=${handle}`]) {
    await page.goto(path);
    await hydrated(page);
  }
  for (const path of ["/messages", `/u/${handle}`]) {
    await other.goto(path);
    await hydrated(other);
  }
  await other.getByText(evil.slice(0, 20)).first().waitFor();
  await page.goto(`/p/${key}/${key}-1`);
  await expect(page.getByTestId("task-title")).toHaveText(payloads[1]);
  expect(await page.locator("img[src=x], svg[onload]").count()).toBe(0);
  expect(dialogs).toEqual([]);
});

test("Sitters text with script and attribute payloads renders inert", async ({ browser }) => {
  test.setTimeout(120_000);
  const dialogs: string[] = [];
  const open = async (prefix: string, kind: string) => {
    const page = await (await browser.newContext()).newPage();
    page.on("dialog", async (d) => {
      dialogs.push(d.message());
      await d.dismiss();
    });
    const handle = uniqueHandle(prefix);
    await signUp(page, handle, payloads[1].slice(0, 60), kind);
    return { page, handle };
  };
  const parent = await open("xp", "parent");
  const nanny = await open("xn", "nanny");
  const p = (n: number) => String(n).padStart(2, "0");
  const utc = (d: Date) =>
    `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;

  // A past job (so it can be reviewed) with payloads in every text field.
  await parent.page.goto("/sitters/jobs/new");
  await hydrated(parent.page);
  const start = new Date(Date.now() - 30 * 3600 * 1000);
  await parent.page.getByLabel("Type of job").fill(payloads[0]);
  await parent.page.getByLabel(/^Starts/).fill(utc(start));
  await parent.page.getByLabel(/^Ends/).fill(utc(new Date(start.getTime() + 3 * 3600 * 1000)));
  await parent.page.getByLabel("Address (shown only to the nanny you book)").fill(payloads[2]);
  await parent.page.getByLabel("City").fill("Xssville");
  await parent.page.getByLabel("Number of kids").fill("2");
  await parent.page.getByLabel("Pay (total)").fill("50");
  await parent.page.getByLabel("Description").fill(payloads.join(" "));
  await parent.page.getByRole("button", { name: "Post the job" }).click();
  await expect(parent.page).toHaveURL(/\/sitters\/jobs\/[0-9A-Z]{26}$/);
  const jobUrl = new URL(parent.page.url()).pathname;

  // The nanny applies with a payload note; the parent books her; both review with payloads.
  await nanny.page.goto(jobUrl);
  await hydrated(nanny.page);
  await nanny.page.getByLabel("A note for the parent").fill(payloads.join(" "));
  await nanny.page.getByTestId("apply").click();
  await expect(nanny.page.getByTestId("my-status")).toHaveText("pending");
  await parent.page.reload();
  await hydrated(parent.page);
  await parent.page.getByTestId("application").first().getByTestId("book").click();
  await expect(parent.page.getByTestId("job-status")).toHaveText("booked");
  await parent.page.reload();
  await hydrated(parent.page);
  await parent.page.getByLabel("5★").check();
  await parent.page.getByLabel("A few words").fill(payloads.join(" "));
  await parent.page.getByTestId("submit-review").click();
  await expect(parent.page.getByTestId("reviewed")).toBeVisible();

  // Every page that shows them, for both people.
  for (const who of [parent, nanny]) {
    for (const path of [jobUrl, "/sitters", "/sitters/jobs?city=xssville", `/u/${nanny.handle}`, `/u/${parent.handle}`]) {
      await who.page.goto(path);
      await hydrated(who.page);
    }
  }
  await nanny.page.goto(`/u/${nanny.handle}`);
  await expect(nanny.page.getByText(payloads[0]).first()).toBeVisible();
  await parent.page.goto(jobUrl);
  await expect(parent.page.getByTestId("job-title")).toHaveText(payloads[0]);
  for (const who of [parent, nanny]) {
    expect(await who.page.locator("img[src=x], svg[onload]").count()).toBe(0);
  }
  expect(dialogs).toEqual([]);
});
