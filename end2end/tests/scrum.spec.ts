import { Page } from "@playwright/test";
import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, signUp } from "./helpers";

async function addTask(page: Page, title: string, points: string) {
  const form = page.locator("form", { has: page.getByRole("button", { name: "Add task" }) });
  await form.getByLabel("Title").fill(title);
  await form.locator("select[name=points]").selectOption(points);
  await form.getByRole("button", { name: "Add task" }).click();
  await expect(page.getByTestId("task-row").filter({ hasText: title })).toBeVisible();
}

async function addSprint(page: Page, name: string) {
  const form = page.locator("form", { has: page.getByRole("button", { name: "Create sprint" }) });
  await form.getByLabel("Name").fill(name);
  await form.getByRole("button", { name: "Create sprint" }).click();
  await expect(page.getByRole("heading", { name })).toBeVisible();
}

test("a sprint from planning to its frozen burndown", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signUp(page, uniqueHandle("sm"), "Sam Scrum");
  const key = ("S" + Math.random().toString(36).slice(2, 8)).toUpperCase().replace(/[^A-Z0-9]/g, "X");
  await page.getByTestId("new-project").click();
  await hydrated(page);
  await page.getByLabel("Key").fill(key);
  await page.getByLabel("Name").fill("Rocket");
  await page.getByRole("button", { name: "Create project" }).click();
  await expect(page.getByTestId("project-name")).toHaveText("Rocket");

  // Plan: three estimated tasks, two sprints.
  await page.goto(`/p/${key}/backlog`);
  await hydrated(page);
  await addTask(page, "Alpha engine", "5");
  await addTask(page, "Beta fins", "3");
  await addTask(page, "Gamma paint", "2");
  await addSprint(page, "Sprint One");
  await addSprint(page, "Sprint Two");
  const one = page.getByTestId("list-1");
  const two = page.getByTestId("list-2");
  const backlog = page.getByTestId("list-backlog");
  await expect(backlog).toContainText(`${key}-1`);

  // Drag the first task into Sprint One (both in view: a drag does not scroll).
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator(`[data-task="${key}-1"] .title`).dragTo(one);
  await expect(one).toContainText(`${key}-1`);
  await expect(backlog).not.toContainText(`${key}-1`);

  // The other two go in without JavaScript, with the move form.
  const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const nojs = await plain.newPage();
  await nojs.goto(`/p/${key}/backlog`);
  for (const n of [2, 3]) {
    const row = nojs.locator(`[data-task="${key}-${n}"]`);
    await row.locator("select[name=to]").selectOption({ label: "Sprint One" });
    await row.locator("select[name=op]").selectOption("bottom");
    await row.getByRole("button", { name: "Move" }).click();
    await expect(nojs.getByTestId("list-1")).toContainText(`${key}-${n}`);
  }
  // Without JavaScript the order buttons work too: the last one goes to the top.
  const third = nojs.locator(`[data-task="${key}-3"]`);
  await third.locator("select[name=op]").selectOption("top");
  await third.getByRole("button", { name: "Move" }).click();
  await expect(nojs.getByTestId("list-1").getByTestId("task-row").first()).toContainText(`${key}-3`);
  await expect(nojs.getByTestId("list-1")).toContainText("10 pt");
  await plain.close();

  // Start it.
  await page.goto(`/p/${key}/backlog`);
  await hydrated(page);
  await one.getByTestId("start-sprint").click();
  await expect(one).toContainText("Active");

  // The board shows the sprint; two cards go to Done, one comes back.
  await page.goto(`/p/${key}/board`);
  await hydrated(page);
  await expect(page.getByTestId("active-sprint")).toContainText("Sprint One");
  await expect(page.getByTestId("sprint-points")).toHaveText("0 of 10 points done");
  for (const n of [1, 2]) {
    await page.locator(`[data-task="${key}-${n}"]`).dragTo(page.getByTestId("column-DONE"));
    await expect(page.getByTestId("column-DONE")).toContainText(`${key}-${n}`);
  }
  await expect(page.getByTestId("sprint-points")).toHaveText("8 of 10 points done");
  await page.locator(`[data-task="${key}-2"]`).dragTo(page.getByTestId("column-IN_PROGRESS"));
  await expect(page.getByTestId("column-IN_PROGRESS")).toContainText(`${key}-2`);
  await expect(page.getByTestId("sprint-points")).toHaveText("5 of 10 points done");

  // Complete it: the unfinished work spills into Sprint Two.
  await page.getByRole("link", { name: "Burndown" }).click();
  await expect(page.getByTestId("sprint-name")).toHaveText("Sprint One");
  await hydrated(page);
  const complete = page.getByTestId("complete-sprint");
  await expect(complete).toContainText("Done: 1 tasks, 5 points. Not done: 2 tasks, 5 points.");
  await complete.getByLabel("Move the unfinished tasks to").selectOption({ label: "Sprint Two" });
  await complete.getByRole("button", { name: "Complete sprint" }).click();

  // The completed sprint: read-only, its chart frozen, its spillover listed.
  await expect(page.getByTestId("sprint-state")).toContainText("Completed");
  await expect(page.getByTestId("sprint-state")).toContainText("frozen");
  await expect(page.getByTestId("complete-sprint")).toHaveCount(0);
  await expect(page.getByTestId("burndown")).toBeVisible();
  await expect(page.getByTestId("remaining-line")).toBeAttached();
  const spill = page.getByTestId("spillover");
  await expect(spill).toContainText(`${key}-2`);
  await expect(spill).toContainText(`${key}-3`);
  await expect(spill).not.toContainText(`${key}-1`);
  await expect(page.getByTestId("sprint-summary")).toContainText("Committed 10 points, completed 5");
  await expect(page.getByTestId("velocity")).toBeVisible();

  // The spillover sits in Sprint Two; the backlog no longer shows Sprint One.
  await page.goto(`/p/${key}/backlog`);
  await expect(two).toContainText(`${key}-2`);
  await expect(two).toContainText(`${key}-3`);
  await expect(one).toHaveCount(0);
  await expect(page.getByTestId("completed-sprints")).toContainText("Sprint One");

  // Filters: the title search applies as you type, and the URL holds it.
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search" }).fill("gamma");
  await expect(page).toHaveURL(/[?&]q=gamma/);
  await expect(page.getByTestId("task-row")).toHaveCount(1);
  await expect(page.getByTestId("task-row")).toContainText("Gamma paint");
  const shared = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const link = await shared.newPage();
  await link.goto(`/p/${key}/backlog?q=beta&status=IN_PROGRESS`);
  await expect(link.getByTestId("task-row")).toHaveCount(1);
  await expect(link.getByTestId("task-row")).toContainText("Beta fins");
  await link.getByTestId("filters").locator("select[name=status]").selectOption("DONE");
  await link.getByRole("button", { name: "Filter" }).click();
  await expect(link).toHaveURL(/status=DONE/);
  await expect(link.getByTestId("task-row")).toHaveCount(0);
  await shared.close();

  // The task's history tells the story.
  await page.goto(`/p/${key}/${key}-2`);
  await expect(page.getByTestId("history")).toContainText("spillover from Sprint One");
  await expect(page.getByTestId("history")).toContainText("In progress");
  await context.close();
});
