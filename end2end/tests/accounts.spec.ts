import { test, expect } from "./fixtures";
import { hydrated, uniqueHandle, PASSWORD, DEMO_PASSWORD, signIn, signUp, openMailedLink } from "./helpers";

test("sign up, sign out, sign in, wrong password, protected page round trip", async ({ page }) => {
  const handle = uniqueHandle();
  const email = `${handle}@example.net`;

  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill("Erika Example");

  // Only the WebAssembly can do this: the hint follows the password as it is typed.
  const hint = page.getByTestId("password-hint");
  await page.getByLabel("Password").fill("short");
  await expect(hint).toHaveText("Use at least 10 characters.");
  await expect(hint).toHaveClass(/weak/);
  await page.getByLabel("Password").fill(`x${handle}-long-9`);
  await expect(hint).toHaveText("Do not put your handle or email in your password.");
  await page.getByLabel("Password").fill(PASSWORD);
  await expect(hint).toHaveText("Strong enough.");

  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("nav-user")).toHaveText("Erika Example");
  await expect(page.getByRole("heading", { name: "My projects" })).toBeVisible();

  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole("link", { name: "Sign up" })).toBeVisible();

  // A protected page while signed out goes to sign-in, and back after it.
  await page.goto(`/people?q=${handle}`);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-my-password-1");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(new RegExp(`/people\\?q=${handle}$`));
  await expect(page.getByTestId("people")).toContainText(`@${handle}`);
});

test("sign up, confirm the address from the mailed link, the banner goes", async ({ page }) => {
  const handle = uniqueHandle("cf");
  const email = `${handle}@example.net`;
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Handle").fill(handle);
  await page.getByLabel("Display name").fill("Carla Confirm");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("nav-user")).toHaveText("Carla Confirm");
  await expect(page.getByTestId("confirm-banner")).toBeVisible();

  await openMailedLink(page, email, "Confirm your email address");
  await page.getByRole("button", { name: "Confirm my address" }).click();
  await expect(page.getByTestId("email-confirmed")).toBeVisible();
  await expect(page.getByTestId("confirm-banner")).toHaveCount(0);
  await page.goto("/");
  await expect(page.getByTestId("nav-user")).toHaveText("Carla Confirm");
  await expect(page.getByTestId("confirm-banner")).toHaveCount(0);
});

test("forgot password: the mailed link sets a new one, then sign in with it", async ({ page }) => {
  const handle = uniqueHandle("fp");
  const email = `${handle}@example.net`;
  await signUp(page, handle, "Fiona Forgot");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/signin$/);
  await hydrated(page);
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page).toHaveURL(/\/forgot$/);
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Mail me a link" }).click();
  await expect(page.getByTestId("reset-sent")).toBeVisible();

  await openMailedLink(page, email, "Set a new password");
  await page.getByLabel("New password", { exact: true }).fill("a-new-horse-staple-7");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByTestId("password-set")).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  await page.getByLabel("Password").fill("a-new-horse-staple-7");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("nav-user")).toHaveText("Fiona Forgot");
});

test("a taken handle gets a clear message", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Email").fill(`${uniqueHandle()}@example.net`);
  await page.getByLabel("Handle").fill("alice");
  await page.getByLabel("Display name").fill("Not Alice");
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("form-error")).toHaveText("This handle is taken. Choose another one.");
});

test("demo account, directory paging and a profile", async ({ page }) => {
  await signIn(page, "alice@example.com", DEMO_PASSWORD);
  await expect(page.getByTestId("nav-user")).toHaveText("Alice Martin");
  await page.goto("/people");
  const people = page.getByTestId("people");
  await expect(people).toContainText("@alice");
  await page.getByTestId("next-page").click();
  await expect(people).not.toContainText("@alice");
  await expect(people).toContainText("@peggy");
  await people.getByText("@peggy").click();
  await expect(page.getByTestId("profile")).toContainText("Peggy Moreau");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("pages render on the server and a failed sign-in shows its message", async ({ page }) => {
    await page.goto("/signin");
    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password").fill("wrong-password-1");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");

    await page.getByLabel("Email").fill("alice@example.com");
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByTestId("nav-user")).toHaveText("Alice Martin");
    await expect(page.getByTestId("dashboard")).toContainText("Demo Shop");
    await page.goto("/no/such/page");
    await expect(page.getByTestId("not-found")).toBeVisible();
  });
});
