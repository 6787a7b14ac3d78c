import { Browser, Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, signUp } from "./helpers";

async function person(browser: Browser, prefix: string, name: string): Promise<{ page: Page; handle: string }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const handle = uniqueHandle(prefix);
  await signUp(page, handle, name);
  return { page, handle };
}

test("a project from creation to deletion, with invitations, scrum, comments and the board", async ({ browser, request }) => {
  test.setTimeout(120_000);
  const pm = await person(browser, "pm", "Paloma Manager");
  const m1 = await person(browser, "ma", "Milo Member");
  const m2 = await person(browser, "mb", "Mara Member");
  const key = ("P" + Math.random().toString(36).slice(2, 8)).toUpperCase().replace(/[^A-Z0-9]/g, "X");

  // The PM creates the project with two members.
  await pm.page.getByTestId("new-project").click();
  await expect(pm.page).toHaveURL(/\/projects\/new$/);
  await hydrated(pm.page);
  await pm.page.getByLabel("Key").fill(key);
  await pm.page.getByLabel("Name").fill("Launch Pad");
  await pm.page.getByLabel("Description").fill("Everything for the launch.");
  await pm.page.getByLabel("Members").fill(`${m1.handle}, @${m2.handle}`);
  await pm.page.getByRole("button", { name: "Create project" }).click();
  await expect(pm.page).toHaveURL(new RegExp(`/p/${key}$`));
  await expect(pm.page.getByTestId("project-name")).toHaveText("Launch Pad");

  // Both invitations reach the SES emulator (the members confirmed their addresses when they
  // signed up: mail to an unconfirmed address waits).
  const ses = process.env.SES_URL ?? "http://127.0.0.1:8005";
  type Mail = { destination?: { to?: string[] }; subject?: string };
  await expect
    .poll(async () => {
      const store = (await (await request.get(`${ses}/store`)).json()) as { emails?: Mail[] };
      const invited = (store.emails ?? []).filter((m) => m.subject === "You have been added to project Launch Pad");
      return [m1.handle, m2.handle].filter((h) => invited.some((m) => (m.destination?.to ?? []).includes(`${h}@example.net`))).length;
    }, { timeout: 30_000 })
    .toBe(2);

  // The PM sees the delivery state on the members page.
  await expect
    .poll(async () => {
      await pm.page.goto(`/p/${key}/members`);
      return await pm.page.getByTestId("invitation").allTextContents();
    }, { timeout: 30_000 })
    .toEqual(expect.arrayContaining(["sent", "sent"]));

  // A member works on the backlog (the project's front page).
  const page = m1.page;
  await page.goto("/");
  await expect(page.getByTestId("dashboard")).toContainText("Launch Pad");
  await page.goto(`/p/${key}`);
  await hydrated(page);
  const storyForm = page.locator("form", { has: page.getByRole("button", { name: "Add story" }) });
  await storyForm.getByLabel("Title").fill("Countdown");
  await storyForm.getByRole("button", { name: "Add story" }).click();
  await expect(page.getByTestId("story").filter({ hasText: "Countdown" })).toBeVisible();

  const taskForm = page.locator("form", { has: page.getByRole("button", { name: "Add task" }) });
  await taskForm.getByLabel("Title").fill("Fuel the rocket");
  await taskForm.locator("select[name=story]").selectOption({ label: "Countdown" });
  await taskForm.getByLabel("Assignee").selectOption({ label: `Milo Member (@${m1.handle})` });
  await taskForm.getByRole("button", { name: "Add task" }).click();
  const fuel = page.getByTestId("task-row").filter({ hasText: "Fuel the rocket" });
  await expect(fuel).toContainText(`${key}-1`);
  await expect(fuel).toContainText("Countdown");
  await taskForm.getByLabel("Title").fill("Print the banners");
  await taskForm.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByTestId("task-row").filter({ hasText: "Print the banners" })).toContainText(`${key}-2`);

  // A comment on the first task.
  await page.getByRole("link", { name: `${key}-1` }).click();
  await expect(page.getByTestId("task-title")).toHaveText("Fuel the rocket");
  await hydrated(page);
  await page.getByLabel("Add a comment").fill("Tanks are half full.");
  await page.getByRole("button", { name: "Comment" }).click();
  await expect(page.getByTestId("comments")).toContainText("Tanks are half full.");
  await expect(page.getByTestId("delete-task")).toHaveCount(0);

  // Drag the card to "In progress" on the board.
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  const card = page.locator(`[data-task="${key}-1"]`);
  await expect(page.getByTestId("column-TODO")).toContainText(`${key}-1`);
  await card.dragTo(page.getByTestId("column-IN_PROGRESS"));
  await expect(page.getByTestId("column-IN_PROGRESS")).toContainText(`${key}-1`);
  await expect(page.getByTestId("column-TODO")).not.toContainText(`${key}-1`);

  // A stale drag: the PM moves the task to Done on their board while the member's board still
  // shows it in progress; the member's drag is refused with where the task is now.
  await pm.page.goto(`/p/${key}/board`);
  await hydrated(pm.page);
  await pm.page.locator(`[data-task="${key}-1"]`).dragTo(pm.page.getByTestId("column-DONE"));
  await expect(pm.page.getByTestId("column-DONE")).toContainText(`${key}-1`);
  await expect(page.getByTestId("column-IN_PROGRESS")).toContainText(`${key}-1`);
  await card.dragTo(page.getByTestId("column-IN_REVIEW"));
  await expect(page.getByTestId("form-error")).toHaveText(
    `${key}-1 is already Done (someone moved it). The board shows it where it is now.`,
  );
  await page.reload();
  await expect(page.getByTestId("column-DONE")).toContainText(`${key}-1`);
  await expect(page.getByTestId("column-IN_REVIEW")).not.toContainText(`${key}-1`);

  // The member cannot delete; the PM can.
  await page.goto(`/p/${key}/${key}-2`);
  await expect(page.getByTestId("task-title")).toHaveText("Print the banners");
  await expect(page.getByTestId("delete-task")).toHaveCount(0);

  await pm.page.goto(`/p/${key}/${key}-2`);
  await hydrated(pm.page);
  await pm.page.getByTestId("delete-task").click();
  await expect(pm.page).toHaveURL(new RegExp(`/p/${key}$`));
  await expect(pm.page.getByTestId("task-row").filter({ hasText: "Print the banners" })).toHaveCount(0);
  await pm.page.goto(`/p/${key}/board`);
  await expect(pm.page.getByTestId("column-DONE")).toContainText(`${key}-1`);

  // Outsiders get a 404 for every project page.
  const outsider = await person(browser, "ou", "Otto Outsider");
  for (const path of [`/p/${key}`, `/p/${key}/board`, `/p/${key}/members`, `/p/${key}/${key}-1`]) {
    const res = await outsider.page.goto(path);
    expect(res?.status(), path).toBe(404);
  }
});

test("the board works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/signin");
  await page.getByLabel("Email").fill("carol@example.com");
  await page.getByLabel("Password").fill("minijira-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("dashboard")).toContainText("Demo Shop");
  await page.goto("/p/DEMO/board");
  const card = page.locator('[data-task="DEMO-12"]');
  const target = (await page.getByTestId("column-DONE").textContent())?.includes("DEMO-12") ? "To do" : "Done";
  await card.getByRole("combobox").selectOption({ label: target });
  await card.getByRole("button", { name: "Move" }).click();
  const column = target === "Done" ? "column-DONE" : "column-TODO";
  await expect(page.getByTestId(column)).toContainText("DEMO-12");
});
